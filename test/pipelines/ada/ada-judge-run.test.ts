import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import type { SavedConversation } from '../../../src/format/index.js';
import { EMULATOR_MODELS, prepareDaemonData, spawnDaemon } from '../../helpers/daemon.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { readToolDatabase, unsavedWriters } from '../../runner/daemon-checks.js';

const readJsonLines = <T = SavedConversation>(file: string): T[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T) : [];

/** A data directory whose together instance names `judgeModel` for the judge role. */
function prepareJudgeRun(dataDir: string, emulator: Emulator, judgeModel: string): Record<string, string> {
  const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 100, emulator: { defects: { refusal: 0.15 } } } });
  const secretsFile = path.join(dataDir, 'secrets.json');
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as { providers: { together: { models: Record<string, string> } } };
  secrets.providers.together.models = { ...EMULATOR_MODELS, judge: judgeModel };
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));
  return env;
}

describe('--judge scores every conversation with the judge model, over real HTTP', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 9, defaults: { latency: { medianMs: 10, sigma: 0.2 } } });
    workspace = makeTempDir();
  });
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  it('with --min-score 4 every line carries report.judge, and exactly those scored below 4 are invalid with judge-low-score', async () => {
    const dataDir = path.join(workspace.path, 'judged');
    const env = prepareJudgeRun(dataDir, emulator, 'emulator-judge');
    emulator.resetCounters();
    const daemon = spawnDaemon(['--target', '12', '--data-dir', dataDir, '--turns', '1', '--judge', '--min-score', '4'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    const valid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    const invalid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl'));
    expect(valid).toHaveLength(12);
    // Every judged line was judged once; beyond them, only spares stopped at the target (in the
    // rejects as surplus, their requests with them) may have asked the judge before they were stopped.
    const spareJudgeSteps = readJsonLines<{ reason: string; steps: { role: string }[] }>(path.join(dataDir, 'rejects.jsonl'))
      .filter((reject) => reject.reason === 'surplus')
      .flatMap((reject) => reject.steps)
      .filter((step) => step.role === 'judge').length;
    const judged = emulator.counters().together.byRole['judge'] ?? 0;
    expect(judged).toBeGreaterThanOrEqual(valid.length + invalid.length);
    expect(judged).toBeLessThanOrEqual(valid.length + invalid.length + spareJudgeSteps);
    for (const line of [...valid, ...invalid]) {
      const judge = line.report!.judge!;
      expect(judge).toMatchObject({ provider: 'together', model: 'emulator-judge' });
      expect(judge.score).toBe(Math.min(judge.helpfulness, judge.toolUse, judge.faithfulness));
      expect(judge.reason).toMatch(/^[^\n]+$/);
      const low = line.report!.issues.some((issue) => issue.code === 'judge-low-score');
      expect(low, JSON.stringify(judge)).toBe(judge.score < 4);
      if (low) expect(line.label).toBe(false);
    }
    expect(valid.every((line) => line.report!.judge!.score >= 4)).toBe(true);
    expect(invalid.some((line) => line.report!.issues.some((issue) => issue.code === 'judge-low-score'))).toBe(true);
    // The scripted judge finds every injected refusal unhelpful.
    const refusals = invalid.filter((line) => line.report!.issues.some((issue) => issue.code === 'refusal'));
    expect(refusals.length).toBeGreaterThan(0);
    for (const line of refusals) expect(line.report!.judge!.helpfulness).toBe(1);
  }, 60_000);

  it('with --no-validate the judge alone labels, and a conversation it scores below --min-score leaves no rows in tools.db', async () => {
    const dataDir = path.join(workspace.path, 'judged-unvalidated');
    const env = prepareJudgeRun(dataDir, emulator, 'emulator-judge');
    const daemon = spawnDaemon(['--target', '12', '--data-dir', dataDir, '--turns', '1', '--no-validate', '--judge', '--min-score', '4'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    const valid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    const invalid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations_invalid.jsonl'));
    expect(valid).toHaveLength(12);
    expect(invalid.length).toBeGreaterThan(0);
    for (const line of invalid) expect(line.report!.issues.map((issue) => issue.code)).toContain('judge-low-score');
    // A user's memories are those of the conversations the output holds, as with validation on.
    const database = readToolDatabase(path.join(dataDir, 'tools.db'));
    expect([...unsavedWriters(database.rows, new Set(valid.map((line) => line.id)))]).toEqual([]);
  }, 60_000);

  it('a judge that answers with anything but its JSON is a warning on each conversation; the run saves them all', async () => {
    const dataDir = path.join(workspace.path, 'garbled');
    // A model the emulator scripts as the simulated user: chatty text, no scores.
    const env = prepareJudgeRun(dataDir, emulator, 'emulator-tester');
    const daemon = spawnDaemon(['--target', '5', '--data-dir', dataDir, '--turns', '1', '--judge', '--min-score', '3'], { cwd: workspace.path, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);
    const valid = readJsonLines(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    expect(valid).toHaveLength(5);
    for (const line of valid) {
      expect(line.report!.judge).toBeUndefined();
      expect(line.report!.issues).toContainEqual(expect.objectContaining({ level: 'warning', code: 'judge-unreadable' }));
    }
  }, 60_000);

  it('--min-score without --judge, or outside 1-5, is a configuration error with nothing written', async () => {
    const dataDir = path.join(workspace.path, 'refused');
    const env = prepareJudgeRun(dataDir, emulator, 'emulator-judge');
    for (const [args, message] of [
      [['--min-score', '3'], '--min-score needs --judge'],
      [['--judge', '--min-score', '7'], '--min-score expects a judge score from 1 to 5, got "7"'],
    ] as const) {
      const daemon = spawnDaemon(['--target', '1', '--data-dir', dataDir, ...args], { cwd: workspace.path, env });
      expect((await daemon.exited).code).toBe(2);
      expect(daemon.output()).toContain(message);
    }
    expect(existsSync(path.join(dataDir, 'trainingData'))).toBe(false);
  }, 60_000);
});
