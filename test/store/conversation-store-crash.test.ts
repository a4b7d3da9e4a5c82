import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom, integerBetween } from '../../src/core/random.js';
import { ConversationStore } from '../../src/store/conversation-store.js';
import { FIXTURES, PROJECT_ROOT, makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const APPENDER = path.join(FIXTURES, 'append-until-killed.ts');

interface RoundResult {
  readonly confirmedIds: readonly string[];
}

/** Starts the appender, kills it with SIGKILL `killAfterMs` after it reports ready, returns what it confirmed. */
async function runAndKill(filePath: string, roundTag: string, earlierId: string | undefined, killAfterMs: number): Promise<RoundResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', APPENDER, filePath, roundTag, ...(earlierId ? [earlierId] : [])], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const confirmedIds: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('ready ')) resolve();
      if (line.startsWith('saved ')) confirmedIds.push(line.slice('saved '.length));
    });
  });
  await Promise.race([ready, exited]);
  await delay(killAfterMs);
  child.kill('SIGKILL');
  const signal = await exited;
  expect(signal, `the appender died on its own: ${stderr}`).toBe('SIGKILL');
  return { confirmedIds };
}

describe('a writer killed with SIGKILL', () => {
  it('ten kills at random moments: every line parses, ids are unique, nothing confirmed is lost', async () => {
    const filePath = path.join(makeTemporaryDirectory(), 'crash.jsonl');
    const random = createRandom(20250301);
    const everConfirmed = new Set<string>();
    let previousCount = 0;
    let tornLinesCut = 0;
    for (let round = 0; round < 10; round++) {
      const earlierId = everConfirmed.values().next().value;
      const { confirmedIds } = await runAndKill(filePath, `round-${round}`, earlierId, integerBetween(random, 20, 250));
      for (const id of confirmedIds) everConfirmed.add(id);

      const { store, recovery } = await ConversationStore.open(filePath);
      if (recovery.truncatedBytes > 0) tornLinesCut++;
      expect(recovery.invalidLines).toBe(0);
      expect(recovery.duplicateLines).toBe(0);
      expect(store.count).toBeGreaterThanOrEqual(previousCount);
      previousCount = store.count;
      await store.close();

      const text = fs.readFileSync(filePath, 'utf8');
      expect(text === '' || text.endsWith('\n')).toBe(true);
      const ids = text
        .split('\n')
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids).toHaveLength(store.count);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of everConfirmed) expect(ids).toContain(id);
    }
    expect(everConfirmed.size).toBeGreaterThan(0);
    // How often a kill tore a line depends on timing; the invariants above hold either way.
    console.info(`crash test: ${previousCount} conversations kept, ${tornLinesCut} torn tails cut over 10 kills`);
  });
});
