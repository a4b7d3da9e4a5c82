import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { RequestStep } from '../core/types.js';
import { syncDirectory } from '../core/sync-directory.js';
import { StoreError, describeFileError } from './store-error.js';

/** `<data-dir>/rejects.jsonl`. */
export const REJECTS_FILE_NAME = 'rejects.jsonl';

/**
 * One abandoned conversation, as a person needs it to reproduce what happened: the shape the
 * dashboard and `npm run report` read (README, "Rejected conversations"). Field order is fixed.
 */
export interface RejectRecord {
  readonly id: string;
  /** When it was abandoned, ISO 8601 UTC. */
  readonly time: string;
  readonly pipeline: { readonly name: string; readonly version: string };
  /** The discard reason stats count it under (`provider_failure`, `deadline`, `empty_reply`, …). */
  readonly reason: string;
  readonly failedStep: string;
  readonly error: { readonly kind: string; readonly message: string };
  readonly user?: string;
  readonly topic?: string;
  readonly steps: readonly RequestStep[];
}

/**
 * The rejects file: opened at its first record (a run that abandons nothing leaves no file), one
 * `write()` of a whole line per record followed by fsync, records queued so lines never
 * interleave. Opening cuts a torn last line a crash left, as the output does, so every line in
 * the file is a whole record. Every line passes through `redact` first: a reject holds provider
 * error messages and replies, which may echo a key.
 */
export class RejectsFile {
  readonly path: string;
  readonly #redact: (text: string) => string;
  #handle: Promise<FileHandle> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #written = 0;

  constructor(filePath: string, redact: (text: string) => string) {
    this.path = path.resolve(filePath);
    this.#redact = redact;
  }

  /** Records written by this process. */
  get written(): number {
    return this.#written;
  }

  /** Resolves once the line is on disk. @throws StoreError `STORE_WRITE_FAILED` or `STORE_OPEN_FAILED`. */
  append(record: RejectRecord): Promise<void> {
    const line = Buffer.from(`${this.#redact(JSON.stringify(record))}\n`, 'utf8');
    const written = this.#queue.then(() => this.#write(line, record.id));
    this.#queue = written.catch(() => undefined);
    return written;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.#handle !== undefined) await (await this.#handle.catch(() => undefined))?.close();
    this.#handle = undefined;
  }

  async #write(line: Buffer, id: string): Promise<void> {
    this.#handle ??= openCuttingTornLine(this.path);
    let handle: FileHandle;
    try {
      handle = await this.#handle;
    } catch (error) {
      // The next record tries to open again: a folder made writable, or space freed, mid-run ends the losses.
      this.#handle = undefined;
      throw error;
    }
    const size = (await handle.stat()).size;
    try {
      const { bytesWritten } = await handle.write(line, 0, line.length);
      if (bytesWritten !== line.length) throw new Error(`short write: ${bytesWritten} of ${line.length} bytes (is the disk full?)`);
      await handle.sync();
      this.#written++;
    } catch (error) {
      // Whatever part of the line reached the file goes, so the next record starts on a clean line.
      await handle.truncate(size).catch(() => undefined);
      throw new StoreError(
        'STORE_WRITE_FAILED',
        this.path,
        `Could not write the reject of conversation ${id} to ${this.path} (${describeFileError(error)}). Free disk space; the run goes on.`,
        { cause: error },
      );
    }
  }
}

async function openCuttingTornLine(filePath: string): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    await mkdir(path.dirname(filePath), { recursive: true });
    handle = await open(filePath, 'a+');
    const size = (await handle.stat()).size;
    if (size > 0) {
      const keep = await lengthOfWholeLines(handle, size);
      if (keep < size) {
        await handle.truncate(keep);
        await handle.sync();
      }
    }
    await syncDirectory(path.dirname(filePath));
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new StoreError('STORE_OPEN_FAILED', filePath, `Could not open ${filePath} (${describeFileError(error)}). Check that the folder is writable.`, { cause: error });
  }
}

/** The offset just after the file's last newline, reading backwards in blocks (a record may be long). */
async function lengthOfWholeLines(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.allocUnsafe(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - start, start);
    const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}
