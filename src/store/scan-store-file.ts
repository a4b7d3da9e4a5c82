import type { FileHandle } from 'node:fs/promises';

/** What a scan of an existing output file found; the caller cuts the file to `validBytes`. */
export interface StoreScan {
  /** Ids of the conversations on complete lines that are kept. */
  readonly ids: Set<string>;
  /** Conversations kept: complete lines with an id not seen earlier in the file. */
  readonly count: number;
  /** Length of the file once the torn tail is cut. */
  readonly validBytes: number;
  /** Bytes after `validBytes` that must be cut (0 when the file ends cleanly). */
  readonly truncatedBytes: number;
  /** The first 200 characters of what is cut, for the log. */
  readonly tornLine?: string;
  /** Complete lines before the last one from which no id could be read (left in place, not counted). */
  readonly invalidLines: number;
  /** Complete lines repeating an id seen earlier in the file (left in place, counted once). */
  readonly duplicateLines: number;
}

export interface ScanOptions {
  /** Bytes read per call; a line longer than this grows the buffer. @default 4 MiB */
  readonly chunkBytes?: number;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Every line the store writes starts with these bytes (`id` is serialized first). */
const ID_PREFIX = Buffer.from('{"id":"');
const TORN_LINE_PREVIEW_CHARS = 200;

interface LineTally {
  readonly ids: Set<string>;
  count: number;
  invalidLines: number;
  duplicateLines: number;
  /** How the last complete line was tallied, so it can be undone if it must be cut. */
  lastLine: { start: number; end: number; outcome: 'counted' | 'duplicate' | 'invalid'; id?: string } | undefined;
}

/**
 * Scans the output file without parsing every line: appends are single writes followed by fsync,
 * so only the last line can be torn, and every line the store wrote starts with `{"id":"...`.
 * Cost is one pass of `indexOf` over large chunks, which keeps a file of several hundred MB well
 * under a second.
 */
export async function scanStoreFile(handle: FileHandle, options: ScanOptions = {}): Promise<StoreScan> {
  const size = (await handle.stat()).size;
  const tally: LineTally = { ids: new Set(), count: 0, invalidLines: 0, duplicateLines: 0, lastLine: undefined };
  let buffer = Buffer.allocUnsafe(Math.max(1024, options.chunkBytes ?? 4 * 1024 * 1024));
  // Invariant: `position` is the file offset of the start of a line (or of the unterminated tail).
  let position = 0;
  while (position < size) {
    const bytesRead = await readAt(handle, buffer, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) break;
    const view = buffer.subarray(0, bytesRead);
    let start = 0;
    for (let newline = view.indexOf(NEWLINE, start); newline !== -1; newline = view.indexOf(NEWLINE, start)) {
      tallyLine(tally, view, start, newline, position + start);
      start = newline + 1;
    }
    if (start === 0) {
      if (bytesRead < buffer.length) break; // the rest of the file has no newline: a torn tail
      buffer = Buffer.allocUnsafe(buffer.length * 2); // one line longer than the buffer
      continue;
    }
    position += start;
  }
  let cutFrom = position < size ? position : size;
  const last = tally.lastLine;
  if (last !== undefined && !(await isCompleteConversation(handle, last.start, last.end))) {
    cutFrom = last.start;
    untallyLastLine(tally);
  }
  const truncatedBytes = size - cutFrom;
  const tornLine = truncatedBytes > 0 ? await previewFrom(handle, cutFrom, size) : undefined;
  return {
    ids: tally.ids,
    count: tally.count,
    validBytes: cutFrom,
    truncatedBytes,
    ...(tornLine === undefined ? {} : { tornLine }),
    invalidLines: tally.invalidLines,
    duplicateLines: tally.duplicateLines,
  };
}

function tallyLine(tally: LineTally, view: Buffer, start: number, end: number, fileOffset: number): void {
  const id = readLineId(view, start, end);
  const lineEnd = fileOffset + (end - start);
  if (id === undefined) {
    tally.invalidLines++;
    tally.lastLine = { start: fileOffset, end: lineEnd, outcome: 'invalid' };
  } else if (tally.ids.has(id)) {
    tally.duplicateLines++;
    tally.lastLine = { start: fileOffset, end: lineEnd, outcome: 'duplicate', id };
  } else {
    tally.ids.add(id);
    tally.count++;
    tally.lastLine = { start: fileOffset, end: lineEnd, outcome: 'counted', id };
  }
}

function untallyLastLine(tally: LineTally): void {
  const last = tally.lastLine;
  if (last === undefined) return;
  if (last.outcome === 'invalid') tally.invalidLines--;
  else if (last.outcome === 'duplicate') tally.duplicateLines--;
  else if (last.id !== undefined) {
    tally.ids.delete(last.id);
    tally.count--;
  }
}

/** The id of the line `view[start, end)`: read from the prefix, or by parsing when the line is unusual. */
function readLineId(view: Buffer, start: number, end: number): string | undefined {
  const idStart = start + ID_PREFIX.length;
  if (end > idStart && view.compare(ID_PREFIX, 0, ID_PREFIX.length, start, idStart) === 0) {
    for (let index = idStart; index < end; index++) {
      const byte = view[index];
      if (byte === QUOTE) return view.toString('utf8', idStart, index);
      if (byte === BACKSLASH) break; // an escaped id: let JSON decode it
    }
  }
  return parseLineId(view.toString('utf8', start, end));
}

function parseLineId(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') return value.id;
  } catch {
    // not JSON: the caller counts the line as invalid
  }
  return undefined;
}

/** Full check of one line: JSON, an object with a string id and a conversations array. */
async function isCompleteConversation(handle: FileHandle, start: number, end: number): Promise<boolean> {
  const buffer = Buffer.allocUnsafe(end - start);
  const bytesRead = await readAt(handle, buffer, buffer.length, start);
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8', 0, bytesRead));
    return (
      typeof value === 'object' &&
      value !== null &&
      'id' in value &&
      typeof value.id === 'string' &&
      'conversations' in value &&
      Array.isArray(value.conversations)
    );
  } catch {
    return false;
  }
}

async function previewFrom(handle: FileHandle, start: number, end: number): Promise<string> {
  // Four bytes per character at most in UTF-8.
  const buffer = Buffer.allocUnsafe(Math.min(end - start, TORN_LINE_PREVIEW_CHARS * 4));
  const bytesRead = await readAt(handle, buffer, buffer.length, start);
  return Array.from(buffer.toString('utf8', 0, bytesRead)).slice(0, TORN_LINE_PREVIEW_CHARS).join('');
}

/** Reads `length` bytes at `position`, looping over short reads; returns the bytes read. */
async function readAt(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let total = 0;
  while (total < length) {
    const { bytesRead } = await handle.read(buffer, total, length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}
