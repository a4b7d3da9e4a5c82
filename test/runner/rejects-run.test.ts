import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { RejectRecord } from '../../src/store/index.js';
import { EMULATOR_MODELS, TEST_KEYS, prepareDaemonData, readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function readRejects(dataDir: string): RejectRecord[] {
  const file = path.join(dataDir, 'rejects.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as RejectRecord);
}

function expectShape(reject: RejectRecord): void {
  expect(Object.keys(reject).filter((key) => key !== 'user' && key !== 'topic')).toEqual(['id', 'time', 'pipeline', 'reason', 'failedStep', 'error', 'steps']);
  expect(Number.isNaN(Date.parse(reject.time))).toBe(false);
  expect(reject.pipeline).toEqual({ name: 'ada', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  expect(Object.keys(reject.error)).toEqual(['kind', 'message']);
  for (const step of reject.steps) {
    expect(Object.keys(step)).toEqual(['role', 'provider', 'model', 'request', 'reply']);
    expect(step.request.length).toBeGreaterThan(0);
  }
}

describe('conversations abandoned by a real run are kept in rejects.jsonl with their provenance', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 23, defaults: { latency: { medianMs: 10, sigma: 0.2 } } });
    workspace = makeTempDir();
  });
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('unusable replies: one line per discard, with the user, topic, failed step and every request so far; none counts toward the target', async () => {
    const dataDir = path.join(workspace.path, 'unusable');
    const faults = { rateEmptyReply: 0.35 };
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 60, emulator: { faults } } });
    const daemon = spawnDaemon(['--target', '6', '--data-dir', dataDir, '--turns', '1-2'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(0);
    const records = readLogRecords(dataDir);
    // The last progress record is written at the end of the run, with every discard counted.
    const summary = records.filter((record) => record.msg === 'progress').at(-1) as unknown as { discarded: Record<string, number>; surplus?: number };
    const discards = Object.values(summary.discarded).reduce((sum, count) => sum + count, 0);
    const all = readRejects(dataDir);
    expect(discards).toBeGreaterThan(0);
    // Spares stopped when the target was reached are there too, as surplus, apart from the discards.
    const byReason: Record<string, number> = {};
    for (const reject of all) byReason[reject.reason] = (byReason[reject.reason] ?? 0) + 1;
    expect(byReason).toEqual({ ...summary.discarded, ...(summary.surplus === undefined ? {} : { surplus: summary.surplus }) });
    const rejects = all.filter((reject) => reject.reason !== 'surplus');
    expect(rejects).toHaveLength(discards);
    const saved = new Set(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl')).map((line) => line.id));
    expect(saved.size).toBe(6);
    for (const reject of all) {
      expectShape(reject);
      expect(saved.has(reject.id)).toBe(false);
    }
    for (const reject of rejects) {
      expect(reject.error.kind).toBe('unusable_reply');
      expect(reject.user).toMatch(/\(user-\d+-\d{4}\)$/);
      expect(reject.topic).toEqual(expect.any(String));
      expect(reject.failedStep).toMatch(/^(tester message|assistant reply|rewrite of message) \d+/);
      // The failing step was asked twice (one retry), both recorded with the reply that was refused.
      const answered = reject.steps.filter((step) => step.reply !== null);
      expect(answered.length).toBeGreaterThanOrEqual(2);
      const last = answered.at(-1)!;
      expect(last.provider).toBe('together');
      expect(Object.values(EMULATOR_MODELS)).toContain(last.model);
      // Only rewrites asked together at the run's end, aborted by the one that failed, go unanswered;
      // one at a time, the refused step is the last.
      const unanswered = reject.steps.filter((step) => step.reply === null);
      if (unanswered.length > 0) expect(reject.failedStep).toMatch(/^rewrite of message/);
      else expect(reject.steps.at(-1)).toBe(last);
      for (const step of unanswered) expect(step.role).toBe('rewriter');
    }
    expect(rejects.some((reject) => reject.reason === 'empty_reply')).toBe(true);
  }, 60_000);

  it('self-play: an unusable workspace reply is a reject of the selfplay pipeline, its plan as the topic, the environment step as the one that failed', async () => {
    const dataDir = path.join(workspace.path, 'selfplay');
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 60, emulator: { faults: { rateEmptyReply: 0.3 } } } });
    const secretsFile = path.join(dataDir, 'secrets.json');
    const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as { providers: { together: { models: Record<string, string> } } };
    secrets.providers.together.models = { environment: 'scripted-environment', requester: 'scripted-requester', assistant: 'scripted-selfplay-assistant' };
    writeFileSync(secretsFile, JSON.stringify(secrets));
    const daemon = spawnDaemon(['--pipeline', 'selfplay', '--target', '6', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    // Spares stopped at the target (surplus) may have no plan yet.
    const rejects = readRejects(dataDir).filter((reject) => reject.reason !== 'surplus');
    const unusable = rejects.filter((reject) => reject.reason === 'workspace_unusable');
    expect(unusable.length).toBeGreaterThan(0);
    for (const reject of rejects) {
      expect(reject.pipeline).toEqual({ name: 'selfplay', version: expect.any(String) });
      expect(reject.topic).toMatch(/^(tool-based|behavioral) \/ /);
      expect(reject.user).toBeUndefined();
    }
    for (const reject of unusable) {
      expect(reject).toMatchObject({ failedStep: 'environment', error: { kind: 'unusable_reply' } });
      expect(reject.steps).toEqual([expect.objectContaining({ role: 'environment', provider: 'together', model: 'scripted-environment', reply: '' })]);
    }
  }, 90_000);

  it('a provider that refuses every key: each conversation is a provider_failure reject of kind auth, the unanswered request last, no key anywhere', async () => {
    const dataDir = path.join(workspace.path, 'auth');
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 60, emulator: { authFailure: true } } });
    const daemon = spawnDaemon(['--target', '3', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output()).toBe(1);
    const rejects = readRejects(dataDir);
    expect(rejects.length).toBeGreaterThan(0);
    for (const reject of rejects) {
      expectShape(reject);
      expect(reject).toMatchObject({ reason: 'provider_failure', failedStep: 'tester message 1', error: { kind: 'auth' } });
      expect(reject.steps).toEqual([expect.objectContaining({ role: 'tester', provider: 'together', model: EMULATOR_MODELS.tester, reply: null })]);
    }
    const text = readFileSync(path.join(dataDir, 'rejects.jsonl'), 'utf8');
    for (const key of Object.values(TEST_KEYS)) expect(text).not.toContain(key);
  }, 60_000);
});
