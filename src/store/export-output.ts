/** The files an export reads and writes: opened with errors the user can act on, written with backpressure, closed. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ExportError } from './export-error.js';
import { describeFileError } from './store-error.js';
import type { SplitName } from './test-split.js';

/** JSON array formats need `[`, `,` between items and `]`; JSONL formats end each item with a newline. */
export interface Framing {
  readonly opening: string;
  readonly separator: string;
  readonly closing: string;
  readonly empty: string;
}
export const ARRAY_FRAMING: Framing = { opening: '[\n', separator: ',\n', closing: '\n]\n', empty: '[]\n' };
export const LINES_FRAMING: Framing = { opening: '', separator: '\n', closing: '\n', empty: '' };

/** One file of one split being written at `writtenPath` (a `.partial` or a staging directory), to end up at `path`. */
export class OutputFile {
  #records = 0;

  private constructor(
    readonly split: SplitName,
    readonly path: string,
    readonly writtenPath: string,
    private readonly stream: Writable,
    private readonly framing: Framing,
  ) {}

  static async open(split: SplitName, finalPath: string, writtenPath: string, framing: Framing): Promise<OutputFile> {
    await mkdir(path.dirname(writtenPath), { recursive: true });
    const stream = createWriteStream(writtenPath);
    // A write error surfaces through `write()`/`close()`; this listener keeps it from crashing the process meanwhile.
    stream.on('error', () => undefined);
    await once(stream, 'open');
    return new OutputFile(split, finalPath, writtenPath, stream, framing);
  }

  get records(): number {
    return this.#records;
  }

  async writeRecord(record: object): Promise<void> {
    await this.#write((this.#records === 0 ? this.framing.opening : this.framing.separator) + JSON.stringify(record));
    this.#records++;
  }

  async close(): Promise<void> {
    await this.#write(this.#records === 0 ? this.framing.empty : this.framing.closing);
    this.stream.end();
    await finished(this.stream).catch((error: unknown) => {
      throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${this.path} (${describeFileError(error)}).`, { cause: error });
    });
  }

  destroy(): void {
    this.stream.destroy();
  }

  /** Writes with backpressure: waits for `drain` when the stream's buffer is full. */
  async #write(text: string): Promise<void> {
    try {
      if (this.stream.errored !== null) throw this.stream.errored;
      if (text.length > 0 && !this.stream.write(text)) await once(this.stream, 'drain');
    } catch (error) {
      throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${this.path} (${describeFileError(error)}).`, { cause: error });
    }
  }
}

export async function openInput(inputPath: string): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(inputPath, 'r');
    if (!(await handle.stat()).isFile()) throw new Error('not a regular file');
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new ExportError('EXPORT_INPUT_UNREADABLE', `Cannot read the input ${inputPath} (${describeFileError(error)}).`, { cause: error });
  }
}

export async function openOutput(split: SplitName, finalPath: string, writtenPath: string, framing: Framing): Promise<OutputFile> {
  try {
    return await OutputFile.open(split, finalPath, writtenPath, framing);
  } catch (error) {
    throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${finalPath} (${describeFileError(error)}).`, { cause: error });
  }
}
