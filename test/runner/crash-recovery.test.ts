import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, integerBetween, type Random } from '../../src/core/random.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { parseConversationLine } from '../../src/format/index.js';
import { type DaemonProcess, daemonTracker, prepareDaemonData } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { isRecord, outputRecords, readOutputFile, readToolDatabase, unsavedWriters } from './daemon-checks.js';

const TARGET = 26;
const KILL_ROUNDS = 10;
/** Rounds that find a torn line at the end of the output, as a power cut mid-write leaves it. */
const TORN_TAIL_ROUNDS = new Set([3, 7]);
/** Rounds killed right after start: while the output is scanned and tool rows rolled back. */
const STARTUP_KILL_ROUNDS = new Set([1, 6]);
/** A round is killed once it saved this many, at the latest, so ten rounds never reach the target. */
const MAX_SAVED_PER_ROUND = 2;

/**
 * Kills land at random moments; the seed is printed with every failure and can be replayed with
 * NIGHTSHIFT_CRASH_SEED=<seed>.
 */
const SEED = Number(process.env.NIGHTSHIFT_CRASH_SEED ?? Date.now() % 1_000_000_000);

interface Workspace {
  readonly dataDir: string;
  readonly output: string;
  readonly toolsDatabase: string;
  readonly env: Record<string, string>;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Kills the daemon a random delay after it started (or started generating), or once it saved `MAX_SAVED_PER_ROUND`. */
async function killAtRandomMoment(daemon: DaemonProcess, workspace: Workspace, random: Random, round: number): Promise<void> {
  const startup = STARTUP_KILL_ROUNDS.has(round);
  // Start-up kills land right after the first record (while the output is scanned and rows rolled
  // back); the others once generating has begun (the first progress record follows the rollback).
  await daemon.waitForOutput((output) => (startup ? output.length > 0 : outputRecords(output).some(isRecord.progress)));
  const savedBefore = readOutputFile(workspace.output).ids.length;
  const deadline = Date.now() + (startup ? integerBetween(random, 0, 30) : integerBetween(random, 100, 2000));
  while (Date.now() < deadline && readOutputFile(workspace.output).ids.length < savedBefore + MAX_SAVED_PER_ROUND) {
    await delay(15);
  }
  daemon.child.kill('SIGKILL');
}

describe('a daemon killed with SIGKILL at random moments and restarted each time', () => {
  let emulator: Emulator;
  let temporary: { path: string; cleanup: () => void };
  beforeAll(async () => {
    // Latency makes conversations take about a second, so kills land mid-conversation.
    emulator = await startEmulator({ seed: SEED, defaults: { latency: { medianMs: 100, sigma: 0.4 } } });
    temporary = makeTempDir();
  });
  const daemons = daemonTracker();
  afterEach(() => daemons.killLeftovers());
  afterAll(async () => {
    await emulator.close();
    temporary.cleanup();
  });

  it(`ten kills, then a run to completion: exactly the target, whole lines, unique ids, a sound tools database with no rows of unsaved conversations (seed ${SEED})`, async () => {
    const dataDir = path.join(temporary.path, 'data');
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 40 }, together: { requestsPerSecond: 40 } });
    const workspace: Workspace = {
      dataDir,
      env,
      cwd: temporary.path,
      output: path.join(dataDir, 'trainingData', 'conversations.jsonl'),
      toolsDatabase: path.join(dataDir, 'tools.db'),
      // Few users, so conversations recall and delete rows other conversations wrote.
      args: ['--target', String(TARGET), '--data-dir', dataDir, '--concurrency', '4', '--users', '5', '--turns', '1-2', '--progress-interval', '60'],
    };
    const random = createRandom(SEED);
    const everSaved = new Set<string>();
    /** Conversations that left tool rows behind when the previous daemon was killed. */
    let leftBehind = new Set<string>();
    let roundsWithRollback = 0;

    for (let round = 0; round < KILL_ROUNDS; round++) {
      const context = `round ${round}, seed ${SEED}`;
      if (TORN_TAIL_ROUNDS.has(round)) appendFileSync(workspace.output, `{"id":"torn-${round}","conversations":[{"role":"user","content":"cut mid-wr`);
      const daemon = daemons.spawn(workspace.args, { cwd: workspace.cwd, env: workspace.env });
      await killAtRandomMoment(daemon, workspace, random, round);
      const exit = await daemon.exited;
      expect(exit.signal, `${context}: the daemon ended on its own:\n${daemon.output().slice(-2000)}`).toBe('SIGKILL');
      const records = outputRecords(daemon.output());

      // The output: every complete line a conversation, nothing saved before lost, nothing twice.
      const output = readOutputFile(workspace.output);
      expect(new Set(output.ids).size, context).toBe(output.ids.length);
      for (const id of everSaved) expect(output.ids, `${context}: a saved conversation vanished`).toContain(id);
      for (const id of output.ids) everSaved.add(id);
      expect(output.ids.length, context).toBeLessThan(TARGET);
      if (TORN_TAIL_ROUNDS.has(round)) {
        expect(records.some(isRecord.tornTailCut), context).toBe(true);
        expect(output.ids, context).not.toContain(`torn-${round}`);
      }
      // A SIGKILL cannot cut one write() short, so a kill alone never leaves a torn line.
      expect(output.tail, context).toBe('');

      // The tools database: sound; rows of conversations killed last time rolled back on this start.
      const database = readToolDatabase(workspace.toolsDatabase);
      expect(database.integrity, context).toBe('ok');
      const unsaved = unsavedWriters(database.rows, new Set(output.ids));
      // The first progress record comes after the start-up rollback, so its presence proves the rollback ran.
      if (records.some(isRecord.progress)) {
        for (const id of leftBehind) expect(unsaved.has(id), `${context}: rows of killed conversation ${id} survived a restart`).toBe(false);
        if (leftBehind.size > 0) {
          const rollback = records.find(isRecord.startupRollback);
          expect(rollback?.rows, context).toBeGreaterThan(0);
          roundsWithRollback++;
        }
      }
      leftBehind = unsaved;
    }

    const final = daemons.spawn(workspace.args, { cwd: workspace.cwd, env: workspace.env });
    expect((await final.exited).code, final.output().slice(-3000)).toBe(0);
    const text = readFileSync(workspace.output, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(TARGET);
    const ids = lines.map((line) => {
      const parsed = parseConversationLine(line);
      if (!parsed.ok) throw new Error(`seed ${SEED}: not a saved conversation (${parsed.reason}): ${line.slice(0, 200)}`);
      return parsed.conversation.id;
    });
    expect(new Set(ids).size).toBe(TARGET);
    for (const id of everSaved) expect(ids).toContain(id);

    const database = readToolDatabase(workspace.toolsDatabase);
    expect(database.integrity).toBe('ok');
    expect(database.rows.length, 'the conversations used no tools; the rollback check would be empty').toBeGreaterThan(0);
    expect([...unsavedWriters(database.rows, new Set(ids))], `seed ${SEED}: rows of conversations that are not in the output`).toEqual([]);
    expect(roundsWithRollback, `seed ${SEED}: no kill left rows of an unsaved conversation to roll back`).toBeGreaterThan(0);
    console.info(`crash recovery (seed ${SEED}): ${everSaved.size} saved across ${KILL_ROUNDS} kills, ${roundsWithRollback} restarts rolled back rows, ${database.rows.length} tool rows at the end`);
    // About 30 s on an idle 2-core machine; the margin is for a loaded one.
  }, 180_000);

  it('a conversation discarded along the way never reaches the output, and its tool rows are rolled back when it is discarded', async () => {
    const dataDir = path.join(temporary.path, 'discards');
    const healthy = { requestsPerSecond: 40, latency: { medianMs: 100, sigma: 0.4 } };
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 40, emulator: healthy }, together: { requestsPerSecond: 40, emulator: healthy } });
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const toolsDatabase = path.join(dataDir, 'tools.db');
    const target = 12;
    const daemon = daemons.spawn(['--target', String(target), '--data-dir', dataDir, '--concurrency', '4', '--users', '5', '--turns', '2', '--progress-interval', '60'], { cwd: temporary.path, env });
    /** Conversations seen with tool rows in the database while they were not (yet) in the output. */
    const seenWithRows = new Set<string>();
    const watchDatabase = () => {
      for (const id of unsavedWriters(readToolDatabase(toolsDatabase).rows, new Set(readOutputFile(output).ids))) seenWithRows.add(id);
    };
    const discardedIds = () =>
      outputRecords(daemon.output())
        .filter(isRecord.discard)
        .map((record) => String(record.conversationId));
    const waitWatching = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!condition()) {
        if (Date.now() > deadline || daemon.child.exitCode !== null) throw new Error(`${what} did not happen:\n${daemon.output().slice(-3000)}`);
        watchDatabase();
        await delay(15);
      }
    };
    try {
      // Empty replies from the moment a conversation in flight has written rows: it is discarded mid-way.
      await waitWatching(() => seenWithRows.size > 0, 'a conversation in flight writing tool rows');
      for (const provider of ['mistral', 'together'] as const) emulator.configure(provider, { ...healthy, faults: { rateEmptyReply: 1 } });
      await waitWatching(() => discardedIds().some((id) => seenWithRows.has(id)), 'the discard of a conversation that had written rows');
      // Still running: the rows are already gone, so the rollback happened at the discard, not at a restart.
      const during = readToolDatabase(toolsDatabase);
      const discardedNow = discardedIds();
      for (const row of during.rows) {
        expect(discardedNow).not.toContain(row.createdBy);
        expect(discardedNow).not.toContain(row.deletedBy);
      }
    } finally {
      for (const provider of ['mistral', 'together'] as const) emulator.configure(provider, healthy);
    }
    expect((await daemon.exited).code, daemon.output().slice(-3000)).toBe(0);

    const discarded = outputRecords(daemon.output()).filter(isRecord.discard);
    expect(discarded.length).toBeGreaterThan(0);
    // An empty reply to the rewriter shows as a failed rewrite; any other reason is not the fault's doing.
    const otherReasons = discarded.filter((record) => record.reason !== 'empty_reply' && record.reason !== 'rewrite_failed');
    expect(otherReasons, 'discards for another reason than the empty replies').toEqual([]);
    const saved = readOutputFile(output);
    expect(saved.ids).toHaveLength(target);
    expect(saved.tail).toBe('');
    for (const record of discarded) expect(saved.ids).not.toContain(record.conversationId);
    const database = readToolDatabase(toolsDatabase);
    expect(database.integrity).toBe('ok');
    expect([...unsavedWriters(database.rows, new Set(saved.ids))]).toEqual([]);
  });

  it('a restart whose target the output already holds exits 0 without calling a provider, and still rolls back the rows of the conversations the crash cut short', async () => {
    const dataDir = path.join(temporary.path, 'reached-after-crash');
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 40 }, together: { requestsPerSecond: 40 } });
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const toolsDatabase = path.join(dataDir, 'tools.db');
    const common = ['--data-dir', dataDir, '--concurrency', '4', '--users', '5', '--turns', '2', '--progress-interval', '60'];
    const crashed = daemons.spawn(['--target', '30', ...common], { cwd: temporary.path, env });
    const unsavedNow = () => unsavedWriters(readToolDatabase(toolsDatabase).rows, new Set(readOutputFile(output).ids));
    await crashed.waitForOutput(() => readOutputFile(output).ids.length >= 1 && unsavedNow().size > 0, 30_000);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    const saved = readOutputFile(output).ids;
    expect(unsavedNow().size).toBeGreaterThan(0);

    emulator.resetCounters();
    const again = daemons.spawn(['--target', String(saved.length), ...common], { cwd: temporary.path, env });
    expect((await again.exited).code, again.output().slice(-3000)).toBe(0);
    expect(again.output()).toContain('target already reached');
    const counters = emulator.counters();
    expect(counters.mistral.requests + counters.together.requests).toBe(0);
    expect(readOutputFile(output).ids).toEqual(saved);
    const database = readToolDatabase(toolsDatabase);
    expect(database.integrity).toBe('ok');
    expect([...unsavedWriters(database.rows, new Set(saved))], 'rows of the conversations the kill cut short').toEqual([]);
  });
});
