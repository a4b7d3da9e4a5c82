import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { prepareDaemonData, readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** What keeps an overnight run from wasting the night: one daemon per data dir, a broken disk stops it. */
describe('run safety', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: 8, defaults: { latency: { medianMs: 60, sigma: 0.3 } } });
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
  });
  afterEach(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('a second daemon on the same data directory is refused with the first one named, and the first goes on undisturbed', async () => {
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 20 } });
    // A target the first cannot reach while the second starts (minutes of requests at this rate),
    // so the second always meets a running daemon; the first is stopped afterwards, and with few
    // conversations in flight its drain is short.
    const first = spawnDaemon(['--target', '1000', '--data-dir', dataDir, '--concurrency', '4'], { cwd: workspace.path, env });
    await first.waitForOutput(() => existsSync(path.join(dataDir, 'status.json')), 30_000);
    const second = spawnDaemon(['--target', '1000', '--data-dir', dataDir], { cwd: workspace.path, env });
    const secondExit = await second.exited;
    expect(secondExit.code, second.output()).toBe(2);
    expect(second.output()).toContain(`Another nightshift daemon (pid ${first.child.pid}) is already running`);
    expect(first.child.exitCode, 'the first daemon ended before the second was refused').toBeNull();
    first.child.kill('SIGTERM');
    expect((await first.exited).code, first.output()).toBe(0);
    const saved = readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    const summary = readLogRecords(dataDir).find((record) => record.msg === 'run summary');
    expect(summary).toMatchObject({ state: 'stopped', stopReason: 'SIGTERM' });
    expect(new Set(saved.map((line) => line.id)).size).toBe(saved.length);
    // The lock goes with its owner, so the next run starts (and finds its target reached).
    const third = spawnDaemon(['--target', String(saved.length), '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await third.exited).code, third.output()).toBe(0);
    expect(third.output()).toContain('target already reached');
  });

  it('a lock left by a killed daemon is taken over', async () => {
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 20 } });
    const killed = spawnDaemon(['--target', '50', '--data-dir', dataDir], { cwd: workspace.path, env });
    await killed.waitForOutput(() => existsSync(path.join(dataDir, 'daemon.lock')), 30_000);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(existsSync(path.join(dataDir, 'daemon.lock'))).toBe(true);
    const next = spawnDaemon(['--target', '3', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await next.exited).code, next.output()).toBe(0);
    expect(existsSync(path.join(dataDir, 'daemon.lock'))).toBe(false);
  });

  it('an output that cannot be written stops the run at once with exit 1 and the reason, instead of discarding all night', async () => {
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 30 } });
    const daemon = spawnDaemon(['--target', '40', '--data-dir', dataDir, '--output', '/dev/full'], { cwd: workspace.path, env });
    const exit = await daemon.exited;
    expect(exit.code, daemon.output()).toBe(1);
    const records = readLogRecords(dataDir);
    const summary = records.find((record) => record.msg === 'run summary');
    expect(String(summary?.stopReason)).toMatch(/output cannot be written/);
    // At most the conversations that were in flight when the first save failed were generated.
    const saveAttempts = records.filter((record) => record.msg === 'progress').at(-1) as { started: number };
    expect(saveAttempts.started).toBeLessThan(40);
  });

  it('never keeps more conversations in flight than there are simulated users', async () => {
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 30 }, together: { requestsPerSecond: 30 } });
    const daemon = spawnDaemon(['--target', '8', '--data-dir', dataDir, '--users', '2', '--progress-interval', '0.2'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    const progress = readLogRecords(dataDir).filter((record) => record.msg === 'progress') as { inFlight: number }[];
    expect(progress.length).toBeGreaterThan(2);
    expect(Math.max(...progress.map((record) => record.inFlight))).toBeLessThanOrEqual(2);
    const users = new Set(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl')).map((line) => (line.metadata.simulatedUser as { id: string }).id));
    expect(users.size).toBeLessThanOrEqual(2);
  });
});
