import fsp from 'node:fs/promises';

export interface LogTailOptions {
  /** How much of the end of the file to read. @default 262_144 (256 KiB) */
  readonly maxBytes?: number;
  /** Lowest pino level kept. @default 40 (warn) */
  readonly minimumLevel?: number;
  /** Most lines returned (the newest). @default 5 */
  readonly limit?: number;
}

/**
 * The last warning and error lines of a run's NDJSON log: usually the answer to "why did it
 * stop?". Reads only the end of the file; a missing or unreadable file gives no lines, since this
 * is a hint next to the status, never the reason a command fails.
 */
export async function readLogTail(logFile: string, options: LogTailOptions = {}): Promise<string[]> {
  const maxBytes = options.maxBytes ?? 262_144;
  const minimumLevel = options.minimumLevel ?? 40;
  const limit = options.limit ?? 5;
  let text: string;
  try {
    const handle = await fsp.open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - maxBytes);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
      // Starting mid-file means the first line is a fragment.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await handle.close();
    }
  } catch {
    return [];
  }
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let level: unknown;
    try {
      level = (JSON.parse(line) as { level?: unknown }).level;
    } catch {
      continue; // a torn last line after a crash
    }
    if (typeof level === 'number' && level >= minimumLevel) kept.push(line);
  }
  return kept.slice(-limit);
}
