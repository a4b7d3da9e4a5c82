import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../../src/cli/export-command.js';
import { runReportCommand } from '../../../src/cli/report-command.js';
import type { QualityReport } from '../../../src/report/report-types.js';
import { startEmulator, type Emulator, type EmulatorProviderCounters } from '../../../src/emulator/index.js';
import { visibleReply } from '../../../src/format/index.js';
import type { RejectRecord } from '../../../src/store/index.js';
import { prepareDaemonData, readLogRecords, spawnDaemon } from '../../helpers/daemon.js';
import { captureStream } from '../../helpers/capture-stream.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

interface Line {
  id: string;
  conversations: { role: string; content: string }[];
  label: boolean;
  report: { issues: { level: string; code: string }[] };
  metadata: { retries: { step: string; reason: string }[] };
}

const readJsonLines = <T>(file: string): T[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T) : [];

const countByReason = (rejects: readonly RejectRecord[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const reject of rejects) counts[reject.reason] = (counts[reject.reason] ?? 0) + 1;
  return counts;
};

const TARGET = 40;
const REFUSAL = "I'm sorry, but I can't help with that.";
const BAD_ARGUMENTS = '"input_text": 42';
const REASONING_ONLY = /^<think>[\s\S]*<\/think>$/;

/**
 * Issue 11's acceptance run: the emulator writes each defect at a set rate, a real daemon runs
 * Ada against it over HTTP, and every defect must end labelled with its code in the right file,
 * or (an empty reply, twice) in rejects.jsonl; the progress record must count them all.
 */
describe('defects the emulator writes on purpose are each caught by a real run', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let exitCode: number | null;
  let output: string;
  let valid: Line[];
  let invalid: Line[];
  let rejects: RejectRecord[];
  let counters: EmulatorProviderCounters;
  let progress: Record<string, unknown>;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 5, defaults: { latency: { medianMs: 60, sigma: 0.2 } } });
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    const defects = { noThink: 0.1, refusal: 0.1, badArguments: 0.1, emptyReply: 0.12, duplicate: 0.3 };
    // No scripted tool calls: the only calls are the defect's, and a repeated opening gets a repeated reply.
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 100, emulator: { defects, toolCallRate: 0 } } });
    const daemon = spawnDaemon(['--target', String(TARGET), '--data-dir', dataDir, '--turns', '1', '--concurrency', '3'], { cwd: workspace.path, env });
    exitCode = (await daemon.exited).code;
    output = daemon.output();
    const trainingData = path.join(dataDir, 'trainingData');
    valid = readJsonLines<Line>(path.join(trainingData, 'conversations.jsonl'));
    invalid = readJsonLines<Line>(path.join(trainingData, 'conversations_invalid.jsonl'));
    rejects = readJsonLines<RejectRecord>(path.join(dataDir, 'rejects.jsonl'));
    counters = emulator.counters().together;
    progress = readLogRecords(dataDir).filter((record) => record.msg === 'progress').at(-1)!;
  }, 120_000);
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  /** Assistant requests of spares stopped at the target that went unanswered: 0 in most runs. */
  const unreadBySpares = () => rejects.filter((reject) => reject.reason === 'surplus').flatMap((reject) => reject.steps).filter((step) => step.role === 'assistant' && step.reply === null).length;
  const codesOf = (line: Line) => line.report.issues.filter((issue) => issue.level === 'error').map((issue) => issue.code);
  const replies = (line: Line) => line.conversations.filter((message) => message.role === 'assistant').map((message) => message.content);

  it('reaches the target with every kind of defect written', () => {
    expect(exitCode, output.slice(-3000)).toBe(0);
    expect(valid).toHaveLength(TARGET);
    for (const kind of ['noThink', 'refusal', 'badArguments', 'emptyReply', 'duplicate'] as const) expect(counters.defects[kind], kind).toBeGreaterThan(0);
  });

  it('a reply without <think>, a refusal and bad arguments each end in the invalid file with their code, never in the output', () => {
    const injected = [
      { code: 'missing-think', found: (line: Line) => replies(line).some((reply) => !reply.includes('<think>')), kind: 'noThink' },
      { code: 'refusal', found: (line: Line) => replies(line).some((reply) => reply.includes(REFUSAL)), kind: 'refusal' },
      { code: 'tool-arguments-invalid', found: (line: Line) => replies(line).some((reply) => reply.includes(BAD_ARGUMENTS)), kind: 'badArguments' },
    ] as const;
    for (const { code, found, kind } of injected) {
      expect(valid.filter(found), code).toEqual([]);
      const caught = invalid.filter(found);
      for (const line of caught) expect(codesOf(line), line.conversations.at(-1)?.content).toContain(code);
      // Each defect was written into exactly one kept or rejected conversation's reply. A request
      // left unanswered (reply null) wrote none here: a spare stopped at the target, whose reply the
      // emulator may have finished sending (and counted) as the daemon stopped reading it.
      const rejected = rejects.filter((reject) => reject.steps.some((step) => step.role === 'assistant' && step.reply !== null && found({ conversations: [{ role: 'assistant', content: step.reply }] } as Line)));
      const rejectedFinal = rejected.filter((reject) => !caught.some((line) => line.id === reject.id));
      expect(caught.length + rejectedFinal.length, kind).toBeLessThanOrEqual(counters.defects[kind]);
      expect(counters.defects[kind], kind).toBeLessThanOrEqual(caught.length + rejectedFinal.length + unreadBySpares());
    }
  });

  it('reasoning with no reply is retried; twice in a row, the conversation is in rejects.jsonl as empty_reply with both replies', () => {
    const emptyRejects = rejects.filter((reject) => reject.reason === 'empty_reply');
    for (const reject of emptyRejects) {
      const lastTwo = reject.steps.slice(-2);
      expect(lastTwo.map((step) => step.role)).toEqual(['assistant', 'assistant']);
      for (const step of lastTwo) expect(step.reply).toMatch(REASONING_ONLY);
      expect(reject).toMatchObject({ failedStep: expect.stringMatching(/^assistant reply 1/), error: { kind: 'unusable_reply' } });
    }
    // Every one written is either a retry recorded in a kept line or a reply in a reject.
    const retried = [...valid, ...invalid].flatMap((line) => line.metadata.retries).filter((retry) => retry.reason === 'empty_reply').length;
    const inRejects = rejects.flatMap((reject) => reject.steps).filter((step) => step.role === 'assistant' && REASONING_ONLY.test(step.reply ?? '')).length;
    expect(retried + inRejects).toBeLessThanOrEqual(counters.defects.emptyReply);
    expect(counters.defects.emptyReply).toBeLessThanOrEqual(retried + inRejects + unreadBySpares());
    expect(valid.some((line) => line.metadata.retries.some((retry) => retry.reason === 'empty_reply')) || emptyRejects.length > 0).toBe(true);
  });

  it('a repeated opening is a near-duplicate of the conversation it repeats, and no two valid conversations share an opening', () => {
    const opening = (line: Line) => line.conversations.find((message) => message.role === 'user')?.content;
    const validOpenings = valid.map(opening);
    expect(new Set(validOpenings).size).toBe(valid.length);
    const duplicates = invalid.filter((line) => codesOf(line).includes('near-duplicate'));
    expect(duplicates.length).toBeGreaterThan(0);
    for (const line of duplicates) {
      const original = valid.find((candidate) => opening(candidate) === opening(line));
      expect(original, opening(line)).toBeDefined();
      expect(replies(line).map(visibleReply)).toEqual(replies(original!).map(visibleReply));
    }
  });

  it('the progress record counts the invalid file and every reject by its reason', () => {
    expect(progress).toMatchObject({ saved: TARGET, invalid: invalid.length });
    // The rejects also hold the spares stopped when the target was reached, as surplus.
    const surplus = progress.surplus as number | undefined;
    expect({ ...(progress.discarded as Record<string, number>), ...(surplus === undefined ? {} : { surplus }) }).toEqual(countByReason(rejects));
  });

  it('export --format kto turns the run into balanced, interleaved true/false examples', async () => {
    const stdout = captureStream();
    const kto = path.join(workspace.path, 'kto.jsonl');
    const input = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const code = await runExportCommand(['--format', 'kto', '--input', input, '--output', kto, '--include-dry-run'], { stdout, stderr: stdout });
    expect(code, stdout.text()).toBe(0);
    const labels = readJsonLines<{ label: boolean }>(kto).map((record) => record.label);
    const pairs = Math.min(valid.length, invalid.length);
    expect(labels).toEqual(Array.from({ length: 2 * pairs }, (_, index) => index % 2 === 0));
  });

  it('npm run report counts what the run wrote: valid, invalid, rejects by reason, and each defect under its code', async () => {
    const stdout = captureStream();
    const code = await runReportCommand(['--data-dir', dataDir], { stdout, stderr: stdout, cwd: workspace.path });
    expect(code, stdout.text()).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dataDir, 'report.json'), 'utf8')) as QualityReport;
    expect(report.counts).toMatchObject({ valid: TARGET, invalid: invalid.length, rejected: rejects.length, badLines: 0 });
    expect(report.rejects.byReason).toEqual(countByReason(rejects));
    for (const defectCode of ['missing-think', 'refusal', 'tool-arguments-invalid', 'near-duplicate']) {
      const carrying = invalid.filter((line) => codesOf(line).includes(defectCode)).length;
      expect(carrying, defectCode).toBeGreaterThan(0);
      expect(report.issues[defectCode]?.errors, defectCode).toBe(carrying);
    }
    expect(report.refusals.conversations).toBe(invalid.filter((line) => codesOf(line).includes('refusal')).length);
  });
});
