import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorProviderOptions } from '../../src/emulator/index.js';
import { type DaemonProcess, daemonTracker, prepareDaemonData, readLogRecords } from '../helpers/daemon.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { isRecord, outputRecords, readOutputFile, readToolDatabase, unsavedWriters } from './daemon-checks.js';

async function waitUntil(condition: () => boolean, what: string, daemon: DaemonProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; daemon output:\n${daemon.output().slice(-3000)}`);
    if (daemon.child.exitCode !== null) throw new Error(`the daemon exited before ${what}:\n${daemon.output().slice(-3000)}`);
    await delay(20);
  }
}

/**
 * Resolves once `signal` is no longer pending for `pid` (its handler has taken it), from the
 * SigPnd/ShdPnd masks of /proc/<pid>/status; a pending signal sent again would be merged into one.
 */
async function untilDelivered(pid: number, signal: NodeJS.Signals): Promise<void> {
  const bit = 1n << BigInt(os.constants.signals[signal] - 1);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const pending = [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].reduce((mask, match) => mask | BigInt(`0x${match[1]}`), 0n);
    if ((pending & bit) === 0n) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${signal} stayed pending for pid ${pid}`);
}

describe('signals: a real daemon stopped with SIGINT', () => {
  let emulator: Emulator;
  let temporary: { path: string; cleanup: () => void };
  /** Conversations take a couple of seconds, so a signal always finds some in flight. */
  const latency = { medianMs: 250, sigma: 0.3 };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 11, defaults: { latency } });
    temporary = makeTempDir();
  });
  const daemons = daemonTracker();
  afterEach(() => daemons.killLeftovers());
  afterAll(async () => {
    await emulator.close();
    temporary.cleanup();
  });

  function setUp(name: string, providers: Parameters<typeof prepareDaemonData>[2], extraArgs: readonly string[] = []) {
    const dataDir = path.join(temporary.path, name);
    const env = prepareDaemonData(dataDir, emulator, providers);
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const args = ['--target', '30', '--data-dir', dataDir, '--concurrency', '4', '--users', '8', '--turns', '1-2', '--progress-interval', '60', ...extraArgs];
    return { dataDir, env, output, args, toolsDatabase: path.join(dataDir, 'tools.db') };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('the first %s stops opening conversations, saves those in flight, logs the drain and a summary, and exits 0', async (signal) => {
    const run = setUp(`drain-${signal}`, { mistral: { requestsPerSecond: 40 }, together: { requestsPerSecond: 40 } });
    const daemon = daemons.spawn(run.args, { cwd: temporary.path, env: run.env });
    await waitUntil(() => readOutputFile(run.output).ids.length >= 2, 'two conversations are saved', daemon);
    const savedAtSignal = readOutputFile(run.output).ids.length;
    const signalledAt = Date.now();
    daemon.child.kill(signal);
    const exit = await daemon.exited;
    const exitedAfterMs = Date.now() - signalledAt;
    expect(exit.code, daemon.output().slice(-3000)).toBe(0);

    const records = readLogRecords(run.dataDir);
    const drain = records.find(isRecord.drain);
    expect(drain, 'the drain warning').toMatchObject({ level: 40, signal, graceSeconds: 30 });
    const inFlight = drain?.inFlight as number;
    expect(inFlight).toBeGreaterThan(0);

    const saved = readOutputFile(run.output);
    expect(saved.tail).toBe('');
    expect(saved.ids.length).toBeGreaterThan(savedAtSignal);
    expect(saved.ids.length).toBeLessThanOrEqual(30);
    // Every conversation this run started was saved: none was dropped or aborted by the drain.
    expect(records.filter(isRecord.discard)).toEqual([]);
    const lastProgress = records.filter(isRecord.progress).at(-1);
    expect(lastProgress).toMatchObject({ saved: saved.ids.length, started: saved.ids.length, savedThisRun: saved.ids.length, inFlight: 0 });
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: signal });
    expect(records.some(isRecord.graceOver)).toBe(false);
    // Draining takes about as long as one conversation, far less than the 30 s grace period.
    expect(exitedAfterMs).toBeLessThan(15_000);
  });

  it('the same SIGINT delivered twice within milliseconds (a terminal and a relaying parent) drains as one: exit 0, nothing aborted', async () => {
    const run = setUp('signal-copies', { mistral: { requestsPerSecond: 40 }, together: { requestsPerSecond: 40 } });
    const daemon = daemons.spawn(run.args, { cwd: temporary.path, env: run.env });
    await waitUntil(() => readOutputFile(run.output).ids.length >= 1, 'a conversation is saved', daemon);
    // Two kills in a row would merge into one pending signal; the copy is sent once the first was taken.
    daemon.child.kill('SIGINT');
    await untilDelivered(daemon.child.pid!, 'SIGINT');
    daemon.child.kill('SIGINT');
    const exit = await daemon.exited;
    expect(exit.code, daemon.output().slice(-3000)).toBe(0);
    const records = outputRecords(daemon.output());
    expect(records.find(isRecord.drain)?.inFlight).toBeGreaterThan(0);
    expect(records.filter((record) => typeof record.copyAfterMs === 'number')).toHaveLength(1);
    expect(records.some(isRecord.stopNow)).toBe(false);
    expect(records.filter(isRecord.discard)).toEqual([]);
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });
    expect(readOutputFile(run.output).tail).toBe('');
  });

  it('a second SIGINT a second later stops at once with exit 130: whole lines only, a sound database, no rows of the aborted conversations', async () => {
    // Requests slow enough that the conversations in flight at the first signal are still going a
    // second later, however busy the machine: with the usual 250 ms the drain could finish first.
    const slow = { medianMs: 2_500, sigma: 0.1 };
    const run = setUp('second-signal', { mistral: { requestsPerSecond: 40, emulator: { latency: slow } }, together: { requestsPerSecond: 40, emulator: { latency: slow } } });
    const daemon = daemons.spawn(run.args, { cwd: temporary.path, env: run.env });
    await waitUntil(() => readOutputFile(run.output).ids.length >= 1, 'a conversation is saved', daemon);
    const firstAt = Date.now();
    daemon.child.kill('SIGINT');
    await daemon.waitForOutput((output) => outputRecords(output).some(isRecord.drain));
    // A person's second Ctrl+C, not a copy of the first: well past the copy window.
    await delay(Math.max(0, firstAt + 1_000 - Date.now()));
    const secondAt = Date.now();
    daemon.child.kill('SIGINT');
    const exit = await daemon.exited;
    const exitedAfterMs = Date.now() - secondAt;
    expect(exit.code, daemon.output().slice(-3000)).toBe(130);
    expect(exitedAfterMs).toBeLessThan(5_000);

    const records = outputRecords(daemon.output());
    const stopNow = records.find(isRecord.stopNow);
    expect(stopNow?.inFlight).toBeGreaterThan(0);
    const aborted = records.filter((record) => isRecord.discard(record) && record.reason === 'aborted');
    expect(aborted.length).toBeGreaterThan(0);
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });

    const saved = readOutputFile(run.output);
    expect(saved.tail).toBe('');
    expect(new Set(saved.ids).size).toBe(saved.ids.length);
    for (const record of aborted) expect(saved.ids).not.toContain(record.conversationId);
    // Each conversation cut off at the hard stop is kept in rejects.jsonl before the daemon exits.
    const rejects = readFileSync(path.join(run.dataDir, 'rejects.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; reason: string; error: { kind: string } });
    const abortedRejects = rejects.filter((reject) => reject.reason === 'aborted');
    expect(abortedRejects.map((reject) => reject.id).sort()).toEqual(aborted.map((record) => record.conversationId).sort());
    for (const reject of abortedRejects) expect(reject.error.kind).toBe('aborted');
    const database = readToolDatabase(run.toolsDatabase);
    expect(database.integrity).toBe('ok');
    expect([...unsavedWriters(database.rows, new Set(saved.ids))], 'rows of conversations that are not in the output').toEqual([]);
  });

  it('when the grace period ends, hung provider calls are aborted on the wire and the daemon exits 0 within seconds', async () => {
    const proxy = await startRecordingProxy(emulator.url);
    try {
      const healthy: EmulatorProviderOptions = { requestsPerSecond: 40, latency };
      // A provider timeout far beyond the grace period: only the grace period can end the hung calls.
      const run = setUp('grace', { mistral: { requestsPerSecond: 40, timeoutMs: 120_000, emulator: healthy } }, ['--grace-seconds', '1']);
      const daemon = daemons.spawn(run.args, { cwd: temporary.path, env: { ...run.env, MISTRAL_BASE_URL: `${proxy.url}/mistral` } });
      await waitUntil(() => readOutputFile(run.output).ids.length >= 1, 'a conversation is saved', daemon);
      emulator.configure('mistral', { ...healthy, faults: { rateHang: 1 } });
      await waitUntil(() => proxy.requests.filter((request) => request.answeredAt === undefined).length >= 4, 'every conversation waits on a hung call', daemon);
      const signalledAt = Date.now();
      daemon.child.kill('SIGINT');
      const exit = await daemon.exited;
      const exitedAfterMs = Date.now() - signalledAt;
      expect(exit.code, daemon.output().slice(-3000)).toBe(0);
      expect(exitedAfterMs).toBeGreaterThanOrEqual(1_000);
      expect(exitedAfterMs).toBeLessThan(5_000);

      const records = readLogRecords(run.dataDir);
      const graceOver = records.find(isRecord.graceOver);
      expect(graceOver?.inFlight).toBeGreaterThanOrEqual(1);
      // Every conversation still in flight when the grace period ended is aborted, none is lost
      // silently. (Not "one per unanswered request seen before the signal": one of those may have been
      // a healthy call still under way, whose conversation then finished and was saved.)
      const aborted = records.filter((record) => isRecord.discard(record) && record.reason === 'aborted');
      expect(aborted).toHaveLength(Number(graceOver?.inFlight));
      const summary = records.find(isRecord.summary);
      expect(summary).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });

      // Each hung call was abandoned by the daemon itself when the grace period ended, before the
      // run summary, not by the process exiting afterwards.
      // Every aborted conversation was waiting on one (the unanswered requests counted before the
      // signal may include a healthy call whose conversation then finished).
      const hung = proxy.requests.filter((request) => request.answeredAt === undefined);
      expect(hung.length).toBeGreaterThanOrEqual(aborted.length);
      const summaryAt = Date.parse(String(summary?.time));
      for (const request of hung) {
        expect(request.abandonedAt, `${request.path} was never abandoned`).toBeDefined();
        expect(request.abandonedAt!).toBeGreaterThanOrEqual(signalledAt + 900);
        expect(request.abandonedAt!).toBeLessThanOrEqual(summaryAt);
      }
      expect(emulator.counters().mistral.injected.hang).toBeGreaterThanOrEqual(hung.length);
      const saved = readOutputFile(run.output);
      expect(saved.tail).toBe('');
      const database = readToolDatabase(run.toolsDatabase);
      expect(database.integrity).toBe('ok');
      expect([...unsavedWriters(database.rows, new Set(saved.ids))]).toEqual([]);
    } finally {
      emulator.configure('mistral', {});
      await proxy.close();
    }
  });
});
