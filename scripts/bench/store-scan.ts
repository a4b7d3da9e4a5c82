import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConversationStore } from '../../src/store/index.js';

export interface StoreScanFigures {
  readonly conversations: number;
  readonly megabytes: number;
  /** The first open after writing the file (the file is in the page cache, as after a crash-restart). */
  readonly firstOpenMs: number;
  /** Median of `repeats` opens. */
  readonly medianOpenMs: number;
  /** What the scan counted; equals `conversations` unless the store misread the file. */
  readonly counted: number;
}

const LINES_PER_WRITE = 1000;
const ID_PREFIX = '{"id":"';

/**
 * Times `ConversationStore.open` (the start-up scan that finds what is already saved) on a file
 * of `count` copies of a real daemon-written line, each with a new id. The file is deleted after.
 */
export async function measureStoreScan(sampleLine: string, count: number, repeats = 3): Promise<StoreScanFigures> {
  const rest = restAfterId(sampleLine);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-store-'));
  try {
    const file = path.join(directory, 'conversations.jsonl');
    writeCopies(file, rest, count);
    const times: number[] = [];
    let counted = 0;
    for (let attempt = 0; attempt < repeats; attempt++) {
      const startedAt = performance.now();
      const { store, recovery } = await ConversationStore.open(file);
      times.push(performance.now() - startedAt);
      counted = recovery.count;
      await store.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      conversations: count,
      megabytes: statSync(file).size / 1024 / 1024,
      firstOpenMs: times[0] ?? Number.NaN,
      medianOpenMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      counted,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The line after its id (`","conversations":...}`), checked to be one JSON object with the id first. */
function restAfterId(sampleLine: string): string {
  const line = sampleLine.trimEnd();
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new Error(`the sample conversation is not JSON: ${(error as Error).message}`);
  }
  const id = (parsed as { id?: unknown }).id;
  if (typeof id !== 'string' || !line.startsWith(`${ID_PREFIX}${id}"`)) {
    throw new Error('the sample conversation does not start with its id, as every saved line does');
  }
  return line.slice(ID_PREFIX.length + id.length);
}

function writeCopies(file: string, rest: string, count: number): void {
  const descriptor = openSync(file, 'w');
  try {
    for (let written = 0; written < count; written += LINES_PER_WRITE) {
      const lines: string[] = [];
      for (let index = written; index < Math.min(count, written + LINES_PER_WRITE); index++) {
        lines.push(`${ID_PREFIX}${randomUUID()}${rest}\n`);
      }
      writeSync(descriptor, lines.join(''));
    }
  } finally {
    closeSync(descriptor);
  }
}
