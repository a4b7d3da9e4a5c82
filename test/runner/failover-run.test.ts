import path from 'node:path';
import { HOME_PROBED } from '../../src/dispatcher/dispatcher-session.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { prepareDaemonData, readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Whole runs of the real daemon against the emulator while providers fail in different ways. */
describe('a run reaches exactly its target while providers fail', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let output: string;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: 21, defaults: { latency: { medianMs: 30, sigma: 0.3 } } });
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
  });
  afterEach(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  const expectExactly = (target: number) => {
    const conversations = readConversations(output);
    expect(conversations).toHaveLength(target);
    expect(new Set(conversations.map((conversation) => conversation.id)).size).toBe(target);
    return conversations;
  };

  it("a dead provider's conversations fail over and the run still reaches the target", async () => {
    const env = prepareDaemonData(dataDir, emulator, {
      mistral: { requestsPerSecond: 25 },
      together: { requestsPerSecond: 25, emulator: { faults: { rate500: 1 } } },
    });
    const daemon = spawnDaemon(['--target', '8', '--data-dir', dataDir, '--concurrency', '6'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    const conversations = expectExactly(8);
    // Every saved message came from the healthy provider; conversations that began on the dead one record the switch.
    for (const conversation of conversations) expect(conversation.metadata.providers).toEqual(['mistral']);
    expect(emulator.counters().together.injected['500']).toBeGreaterThan(0);
    const switched = conversations.flatMap((conversation) => conversation.metadata.providerSwitches as { from: string; to: string }[]);
    // Away from the dead provider; or, once its cooldown is over, back to it to probe (and away again).
    for (const entry of switched) {
      if (entry.from === 'together') expect(entry).toMatchObject({ to: 'mistral' });
      else expect(entry).toMatchObject({ from: 'mistral', to: 'together', reason: HOME_PROBED });
    }
  });

  it('a 401 disables one provider with a clear log line and the run finishes on the others', async () => {
    const env = prepareDaemonData(dataDir, emulator, {
      mistral: { requestsPerSecond: 25 },
      together: { requestsPerSecond: 25, emulator: { authFailure: true } },
      huggingface: { requestsPerSecond: 25 },
    });
    const daemon = spawnDaemon(['--target', '8', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    const conversations = expectExactly(8);
    for (const conversation of conversations) expect(conversation.metadata.providers).not.toContain('together');
    const records = readLogRecords(dataDir);
    expect(records.some((record) => Number(record.level) >= 40 && record.provider === 'together' && /together disabled: .*401/i.test(String(record.msg)))).toBe(true);
    const last = records.filter((record) => record.msg === 'progress').at(-1) as { providers: Record<string, { state: { status: string } }> };
    expect(last.providers.together?.state.status).toBe('disabled');
  });

  it('when every provider is down the daemon waits, and resumes and finishes when they come back', async () => {
    const env = prepareDaemonData(dataDir, emulator, {
      mistral: { requestsPerSecond: 25, emulator: { faults: { rate503: 1 } } },
      together: { requestsPerSecond: 25, emulator: { faults: { rate503: 1 } } },
    });
    const daemon = spawnDaemon(['--target', '5', '--data-dir', dataDir, '--progress-interval', '0.5'], { cwd: workspace.path, env });
    // Every provider down at once: Together is asked first, Mistral once its SDK has loaded.
    await daemon.waitForOutput((output) => /all providers are down/i.test(output), 30_000);
    expect(emulator.counters().mistral.injected['503'] + emulator.counters().together.injected['503']).toBeGreaterThanOrEqual(2);
    expect(daemon.child.exitCode).toBeNull();
    emulator.configure('mistral', { requestsPerSecond: 25 });
    emulator.configure('together', { requestsPerSecond: 25 });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    expectExactly(5);
    const messages = readLogRecords(dataDir).map((record) => String(record.msg));
    expect(messages.some((message) => /all providers are down/i.test(message))).toBe(true);
  });

  it('exactly --target conversations are saved when some are discarded along the way', async () => {
    const env = prepareDaemonData(dataDir, emulator, {
      mistral: { requestsPerSecond: 30, emulator: { faults: { rateEmptyReply: 0.25 } } },
      together: { requestsPerSecond: 30, emulator: { faults: { rateEmptyReply: 0.25 } } },
    });
    const daemon = spawnDaemon(['--target', '12', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    expectExactly(12);
    const summary = readLogRecords(dataDir).filter((record) => record.msg === 'progress').at(-1) as { discarded: Record<string, number> };
    expect(Object.values(summary.discarded).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
  });

  it('--providers restricts one run to the named providers', async () => {
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 25 }, together: { requestsPerSecond: 25 } });
    const daemon = spawnDaemon(['--target', '4', '--data-dir', dataDir, '--providers', 'together'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    expectExactly(4);
    expect(emulator.counters().mistral.requests).toBe(0);
  });
});
