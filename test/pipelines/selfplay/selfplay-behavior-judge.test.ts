import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBehaviorVerdict } from '../../../src/pipelines/selfplay/behavior-judge.js';
import { ruleTellsBehavior } from '../../../src/pipelines/selfplay/judge-response.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

interface SelfplayLine {
  label: boolean;
  behavior?: string;
  report: { issues: { level: string; code: string; message: string }[] };
  metadata: Record<string, unknown> & { type: string; behavior_judge?: { shows: boolean; reason: string; provider: string; model: string } };
}

const readLines = (file: string): SelfplayLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SelfplayLine);

describe("the judge's verdict on a behavior", () => {
  it('is read from the JSON in its reply, prose around it or not, and refused when a field is missing or mistyped', () => {
    expect(readBehaviorVerdict('Sure. {"shows": false, "reason": "reads every file"} Done.')).toEqual({ shows: false, reason: 'reads every file' });
    expect(readBehaviorVerdict('{"shows": "yes", "reason": "x"}')).toBeUndefined();
    expect(readBehaviorVerdict('{"shows": true}')).toBeUndefined();
    expect(readBehaviorVerdict('no json at all')).toBeUndefined();
  });
});

describe('an offline self-play run with --judge', () => {
  const workspace = makeTempDir('nightshift-selfplay-judge-');
  const dataDir = path.join(workspace.path, 'data');
  let result: CliResult;
  let lines: SelfplayLine[];

  beforeAll(async () => {
    mkdirSync(path.join(workspace.path, 'tmp'));
    result = await runCli(['generate', '--offline', '--pipeline', 'selfplay', '--judge', '--target', '40', '--seed', '5', '--data-dir', dataDir, '--log-format', 'json'], {
      cwd: workspace.path,
      env: { TMPDIR: path.join(workspace.path, 'tmp') },
      timeoutMs: 240_000,
    });
    const output = path.join(dataDir, 'trainingData', 'selfplay_output.jsonl');
    lines = [...readLines(output), ...readLines(output.replace('.jsonl', '_invalid.jsonl'))];
  }, 250_000);
  afterAll(() => workspace.cleanup());

  it('asks the judge about exactly the behaviors no rule tells, and its "not shown" makes the example invalid', () => {
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const judged = lines.filter((line) => line.metadata.behavior_judge !== undefined);
    expect(judged.length).toBeGreaterThan(0);
    for (const line of judged) {
      expect(line.metadata.type).toBe('behavioral');
      expect(ruleTellsBehavior(line.behavior as never)).toBe(false);
      expect(line.metadata.behavior_judge).toMatchObject({ reason: expect.any(String), model: 'offline-judge' });
      const notShown = line.report.issues.some((issue) => issue.code === 'behavior-not-shown' && issue.message.startsWith('the judge'));
      expect(notShown).toBe(!line.metadata.behavior_judge!.shows);
      if (!line.metadata.behavior_judge!.shows) expect(line.label).toBe(false);
    }
    // Rule-told behaviors and tool tasks never cost a judge request.
    const ruleTold = lines.filter((line) => line.metadata.type === 'tool-based' || (line.behavior !== undefined && ruleTellsBehavior(line.behavior as never)));
    expect(ruleTold.length).toBeGreaterThan(0);
    for (const line of ruleTold) expect(line.metadata.behavior_judge).toBeUndefined();
  });
});
