import fsp from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** What one read of a followed file brought. */
export interface NewLines {
  /** Complete lines appended since the last read (a torn last line waits for its newline). */
  readonly lines: string[];
  /** True when the file was replaced or shortened since the last read: the lines start from its beginning again. */
  readonly restarted: boolean;
  /** True when more is appended than one read takes: read again before drawing conclusions. */
  readonly more: boolean;
}

const NOTHING: NewLines = { lines: [], restarted: false, more: false };

/**
 * Follows an append-only file (`tail -F` for NDJSON): each `read` returns the complete lines
 * written since the previous one, so the dashboard reads a night's log once, not at every update.
 * A file that disappears, shrinks or is replaced (another inode) is read again from its start.
 */
export class FollowedFile {
  private offset = 0;
  private inode: number | undefined;
  private pending = '';
  /** Keeps a character split across two reads whole. */
  private decoder = new StringDecoder('utf8');

  /**
   * @param filePath The file to follow; it need not exist yet.
   * @param chunkBytes Most bytes read per call, so a large output file is taken in slices. @default 4 MiB
   */
  constructor(
    readonly filePath: string,
    private readonly chunkBytes = 4 * 1024 * 1024,
  ) {}

  async read(): Promise<NewLines> {
    let handle;
    try {
      handle = await fsp.open(this.filePath, 'r');
    } catch {
      // Absent (not written yet, or removed): nothing new; a file that comes back is read from its start.
      const restarted = this.offset > 0;
      this.reset(undefined);
      return restarted ? { ...NOTHING, restarted } : NOTHING;
    }
    try {
      const stats = await handle.stat();
      let restarted = false;
      if (this.inode !== stats.ino || stats.size < this.offset) {
        restarted = this.inode !== undefined;
        this.reset(stats.ino);
      }
      const length = Math.min(stats.size - this.offset, this.chunkBytes);
      if (length <= 0) return restarted ? { ...NOTHING, restarted } : NOTHING;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      this.offset += bytesRead;
      const text = this.pending + this.decoder.write(buffer.subarray(0, bytesRead));
      const lastNewline = text.lastIndexOf('\n');
      this.pending = text.slice(lastNewline + 1);
      const lines = lastNewline === -1 ? [] : text.slice(0, lastNewline).split('\n').filter((line) => line.trim() !== '');
      return { lines, restarted, more: this.offset < stats.size };
    } finally {
      await handle.close();
    }
  }

  private reset(inode: number | undefined): void {
    this.offset = 0;
    this.pending = '';
    this.decoder = new StringDecoder('utf8');
    this.inode = inode;
  }
}
