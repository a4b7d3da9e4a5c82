import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SavedConversation } from '../format/index.js';
import { scanStoreFile } from './scan-store-file.js';
import { StoreError, describeFileError } from './store-error.js';
import { syncDirectory } from '../core/sync-directory.js';

/** What opening the output file found and repaired. */
export interface StoreRecovery {
  /** Conversations on disk after repair (distinct ids on complete lines). */
  readonly count: number;
  /** Bytes cut from the end: a torn or unconfirmed last line. */
  readonly truncatedBytes: number;
  /** The first 200 characters of what was cut. */
  readonly tornLine?: string;
  /** Complete lines before the end without a readable id (left in place, not counted). */
  readonly invalidLines: number;
  /** Complete lines repeating an earlier id (left in place, counted once). */
  readonly duplicateLines: number;
}

export interface StoreOptions {
  /**
   * Opens the output file; tests inject a handle that fails like a full disk.
   * @default `fs/promises` `open`
   */
  readonly openFile?: (filePath: string, flags: 'a+') => Promise<FileHandle>;
}

export interface OpenedStore {
  readonly store: ConversationStore;
  readonly recovery: StoreRecovery;
}

/**
 * The durable output file: one JSON line per finished conversation.
 *
 * Invariants: every line on disk is a complete conversation followed by `\n`; a line is written
 * with exactly one `write()` of the whole line (appends are queued, never interleaved) and
 * confirmed with `fsync` before `append` resolves; an id is never written twice. A crash can
 * therefore leave at most one torn or unconfirmed line, at the end; `open` cuts it.
 *
 * One process per file: two stores on the same path would not see each other's ids.
 */
export class ConversationStore {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #ids: Set<string>;
  /** Ids accepted by `append` whose write has not finished, so concurrent duplicates are refused. */
  readonly #pending = new Set<string>();
  #count: number;
  /** File length as this store wrote it: where to truncate back to after a failed write. */
  #size: number;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Set when a failed write could not be undone; every later append rejects with it. */
  #broken: StoreError | undefined;

  private constructor(filePath: string, handle: FileHandle, ids: Set<string>, count: number, size: number) {
    this.path = filePath;
    this.#handle = handle;
    this.#ids = ids;
    this.#count = count;
    this.#size = size;
  }

  /**
   * Opens (creating it and its parent folders if needed) the output file, scans it, and cuts a torn
   * last line. A last line without its newline is cut even when it is valid JSON: the store writes
   * the newline in the same `write()`, so such a line was never confirmed by `fsync`.
   */
  static async open(filePath: string, options: StoreOptions = {}): Promise<OpenedStore> {
    const openFile = options.openFile ?? open;
    const resolved = path.resolve(filePath);
    let handle: FileHandle | undefined;
    try {
      await mkdir(path.dirname(resolved), { recursive: true });
      // 'a+': reads at any offset for the scan, writes always at the end (O_APPEND).
      handle = await openFile(resolved, 'a+');
      const scan = await scanStoreFile(handle);
      if (scan.truncatedBytes > 0) {
        await handle.truncate(scan.validBytes);
        await handle.sync();
      }
      await syncDirectory(path.dirname(resolved));
      const store = new ConversationStore(resolved, handle, scan.ids, scan.count, scan.validBytes);
      const recovery: StoreRecovery = {
        count: scan.count,
        truncatedBytes: scan.truncatedBytes,
        ...(scan.tornLine === undefined ? {} : { tornLine: scan.tornLine }),
        invalidLines: scan.invalidLines,
        duplicateLines: scan.duplicateLines,
      };
      return { store, recovery };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw new StoreError(
        'STORE_OPEN_FAILED',
        resolved,
        `Could not open the output file ${resolved} (${describeFileError(error)}). Check that the folder is writable.`,
        { cause: error },
      );
    }
  }

  /** Conversations durably in the file. */
  get count(): number {
    return this.#count;
  }

  /** Whether a conversation with this id is in the file (or being written now). */
  has(id: string): boolean {
    return this.#ids.has(id) || this.#pending.has(id);
  }

  /**
   * Writes one conversation as one line and fsyncs it. Resolves `true` once it is on disk, `false`
   * (writing nothing) when its id is already in the file. Concurrent calls queue.
   * @throws StoreError `STORE_WRITE_FAILED` (e.g. disk full; the file is left as it was),
   *   `STORE_BROKEN`, `STORE_CLOSED`, `STORE_INVALID_CONVERSATION`.
   */
  append(conversation: SavedConversation): Promise<boolean> {
    if (this.#closed) {
      return Promise.reject(new StoreError('STORE_CLOSED', this.path, `The output file ${this.path} is closed.`));
    }
    let line: Buffer;
    try {
      line = serializeLine(conversation, this.path);
    } catch (error) {
      return Promise.reject(error);
    }
    const { id } = conversation;
    if (this.has(id)) return Promise.resolve(false);
    this.#pending.add(id);
    const written = this.#queue.then(() => this.#writeLine(id, line));
    this.#queue = written.catch(() => undefined);
    return written;
  }

  /** Waits for queued appends, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }

  async #writeLine(id: string, line: Buffer): Promise<boolean> {
    try {
      if (this.#broken !== undefined) throw this.#broken;
      const previousSize = this.#size;
      let bytesWritten = 0;
      try {
        ({ bytesWritten } = await this.#handle.write(line, 0, line.length));
        if (bytesWritten !== line.length) {
          throw new Error(`short write: ${bytesWritten} of ${line.length} bytes (is the disk full?)`);
        }
        await this.#handle.sync();
      } catch (error) {
        await this.#undoWrite(previousSize, error);
        throw new StoreError(
          'STORE_WRITE_FAILED',
          this.path,
          `Could not save conversation ${id} to ${this.path} (${describeFileError(error)}). ` +
            'The file still holds every conversation saved before; free disk space and run again to continue.',
          { cause: error },
        );
      }
      this.#size = previousSize + line.length;
      this.#ids.add(id);
      this.#count++;
      return true;
    } finally {
      this.#pending.delete(id);
    }
  }

  /** Cuts whatever part of a failed line reached the file, so the file stays valid. */
  async #undoWrite(previousSize: number, cause: unknown): Promise<void> {
    try {
      await this.#handle.truncate(previousSize);
      await this.#handle.sync();
    } catch (truncateError) {
      this.#broken = new StoreError(
        'STORE_BROKEN',
        this.path,
        `A write to ${this.path} failed (${describeFileError(cause)}) and cutting it back also failed ` +
          `(${describeFileError(truncateError)}). Stop and reopen the file: opening repairs a torn last line.`,
        { cause: truncateError },
      );
    }
  }
}

/** `{"id":...,"conversations":...,"metadata":...}\n` with `id` first, as the scan relies on. */
function serializeLine(conversation: SavedConversation, filePath: string): Buffer {
  if (typeof conversation.id !== 'string' || conversation.id.length === 0) {
    throw new StoreError(
      'STORE_INVALID_CONVERSATION',
      filePath,
      `Expected a conversation id to be a non-empty string, got ${JSON.stringify(conversation.id)}.`,
    );
  }
  const text = JSON.stringify({
    id: conversation.id,
    conversations: conversation.conversations,
    label: conversation.label,
    behavior: conversation.behavior,
    report: conversation.report,
    metadata: conversation.metadata,
    // Last: a reader that stops at the metadata never has to skip past them (`generate --annotate`).
    annotations: conversation.annotations,
  });
  // JSON.stringify escapes newlines inside strings; a raw one could only come from a custom toJSON.
  if (text.includes('\n')) {
    throw new StoreError(
      'STORE_INVALID_CONVERSATION',
      filePath,
      `Conversation ${conversation.id} serializes with a raw newline; it would break the one-line-per-conversation format.`,
    );
  }
  return Buffer.from(`${text}\n`, 'utf8');
}
