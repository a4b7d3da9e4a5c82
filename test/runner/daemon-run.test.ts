import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { prepareDaemonData, readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('the daemon as a real child process against the emulator', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 5, defaults: { latency: { medianMs: 40, sigma: 0.3 } } });
    workspace = makeTempDir();
  });
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('reaches the target, then a second run with the same command says so and calls no provider', async () => {
    const dataDir = path.join(workspace.path, 'data');
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 20 }, together: { requestsPerSecond: 20 } });
    const first = spawnDaemon(['--target', '6', '--data-dir', dataDir, '--progress-interval', '1'], { cwd: workspace.path, env });
    expect((await first.exited).code, first.output()).toBe(0);
    const conversations = readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    expect(conversations).toHaveLength(6);
    expect(new Set(conversations.map((conversation) => conversation.id)).size).toBe(6);
    const records = readLogRecords(dataDir);
    expect(records.some((record) => record.msg === 'run summary' && record.stopReason === 'target reached')).toBe(true);
    // 40 requests/s in all: auto keeps every SDK in the daemon's own thread.
    expect(records.find((record) => String(record.msg).startsWith('starting:'))).toMatchObject({ providerThreads: false });

    emulator.resetCounters();
    const second = spawnDaemon(['--target', '6', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await second.exited).code).toBe(0);
    expect(second.output()).toContain('target already reached');
    const counters = emulator.counters();
    expect(counters.mistral.requests + counters.together.requests).toBe(0);
  });

  it('--provider-threads on gives each SDK a worker thread of its own, and the run is the same', async () => {
    const dataDir = path.join(workspace.path, 'threads-on');
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 20 }, together: { requestsPerSecond: 20 } });
    const run = spawnDaemon(['--target', '4', '--data-dir', dataDir, '--provider-threads', 'on'], { cwd: workspace.path, env });
    expect((await run.exited).code, run.output()).toBe(0);
    expect(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'))).toHaveLength(4);
    const starting = readLogRecords(dataDir).find((record) => String(record.msg).startsWith('starting:'));
    expect(starting).toMatchObject({ providerThreads: true });
    expect(String(starting?.msg)).toContain('provider threads on (--provider-threads on)');
  });
});
