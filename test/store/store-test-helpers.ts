import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SavedConversation } from '../../src/format/index.js';

const createdDirectories: string[] = [];

/** A fresh temp folder; `removeTemporaryDirectories` (run it in `afterEach`) deletes them all. */
export function makeTemporaryDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
  createdDirectories.push(directory);
  return directory;
}

export function removeTemporaryDirectories(): void {
  for (const directory of createdDirectories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}

/** A conversation shaped like the pipeline's, padded to roughly `approximateBytes` when serialized. */
export function makeConversation(id: string, approximateBytes = 600): SavedConversation {
  const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.max(1, Math.ceil(approximateBytes / 90)));
  return {
    id,
    conversations: [
      { role: 'system', content: 'You are Ada.' },
      { role: 'user', content: `Tell me something (${id}).\nOn two lines.` },
      { role: 'assistant', content: `<think>${filler}</think>\n${filler}` },
    ],
    metadata: { pipeline: 'ada', simulatedUser: { id: 'user-1', name: 'Ana' }, toolCalls: [] },
  };
}

/** Every line of the file, asserting the file ends with a newline (or is empty). */
export function readLines(filePath: string): string[] {
  const text = fs.readFileSync(filePath, 'utf8');
  if (text.length === 0) return [];
  if (!text.endsWith('\n')) throw new Error(`${filePath} does not end with a newline`);
  return text.slice(0, -1).split('\n');
}

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/store');
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
