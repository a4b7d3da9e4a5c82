import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The value of one line of JSON, or `{ ok: false }` when the line is not JSON. */
export function parseJsonLine(line: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Each non-blank line of a JSON-lines file, one at a time (readline over a read stream), so the
 * file's size never reaches memory. What the output, the invalid file and the rejects are read with.
 */
export async function forEachLine(file: string, visit: (line: string) => void): Promise<void> {
  // 1 MiB reads: with the default 64 KiB the loop waits on the disk far more often than it parses.
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') visit(line);
}
