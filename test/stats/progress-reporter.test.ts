import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type RunLogger } from '../../src/stats/create-logger.js';
import { ProgressReporter, type ProgressReporterOptions } from '../../src/stats/progress-reporter.js';
import { RunStats } from '../../src/stats/run-stats.js';
import { readStatusFile, statusFilePath } from '../../src/stats/status-file.js';

const START = Date.parse('2026-11-22T01:00:00.000Z');

let directory: string;
let run: RunLogger;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'], now: START });
  run = createLogger({ logDirectory: path.join(directory, 'logs'), runId: 'reporter', terminal: null });
});
afterEach(async () => {
  vi.useRealTimers();
  await run.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function setUp(options: Partial<ProgressReporterOptions> = {}) {
  const stats = new RunStats({ target: 10, alreadySaved: 2 });
  const reporter = new ProgressReporter({
    stats,
    logger: run.logger,
    statusFile: statusFilePath(directory),
    outputPath: path.join(directory, 'trainingData/ada.jsonl'),
    logFile: run.logFile,
    intervalMs: 30_000,
    ...options,
  });
  return { stats, reporter };
}

function logMessages(): { msg: string; [key: string]: unknown }[] {
  return fs
    .readFileSync(run.logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { msg: string });
}

describe('ProgressReporter', () => {
  it('writes the status file and a progress line at start, then again every interval', async () => {
    const { stats, reporter } = setUp();
    await reporter.start();
    const first = await readStatusFile(statusFilePath(directory));
    expect(first).toMatchObject({ state: 'running', saved: 2, pid: process.pid, progressIntervalMs: 30_000, logFile: run.logFile });
    expect(first.startedAt).toBe('2026-11-22T01:00:00.000Z');

    stats.conversationStarted();
    stats.conversationSaved({ provider: 'mistral', toolCalls: [] });
    await vi.advanceTimersByTimeAsync(30_000);
    await reporter.flush();
    const second = await readStatusFile(statusFilePath(directory));
    expect(second).toMatchObject({ saved: 3, updatedAt: '2026-11-22T01:00:30.000Z', elapsedSeconds: 30 });
    expect(logMessages().filter((line) => line.msg === 'progress')).toHaveLength(2);
    await reporter.finish('stopped', 'test over');
  });

  it('reports 5 s after the first request instead of waiting a whole interval, then every interval from there', async () => {
    const { reporter } = setUp({ intervalMs: 600_000 });
    const progressTimes = () => logMessages().filter((line) => line.msg === 'progress').map((line) => line.at);
    await reporter.start();
    await vi.advanceTimersByTimeAsync(2_000);
    reporter.requestStarted();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(progressTimes()).toEqual(['2026-11-22T01:00:00.000Z']);
    // Later requests do not schedule more early reports.
    reporter.requestStarted();
    await vi.advanceTimersByTimeAsync(1);
    expect(progressTimes()).toEqual(['2026-11-22T01:00:00.000Z', '2026-11-22T01:00:07.000Z']);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(progressTimes()).toEqual(['2026-11-22T01:00:00.000Z', '2026-11-22T01:00:07.000Z', '2026-11-22T01:10:07.000Z']);
    await reporter.finish('stopped', 'test over');
  });

  it('adds no early report when the interval is already that short, nor after the run finished', async () => {
    const short = setUp({ intervalMs: 4_000 });
    await short.reporter.start();
    short.reporter.requestStarted();
    await vi.advanceTimersByTimeAsync(5_000);
    // Only the interval's own record at 4 s, none at 5 s.
    expect(logMessages().filter((line) => line.msg === 'progress').map((line) => line.at)).toEqual(['2026-11-22T01:00:00.000Z', '2026-11-22T01:00:04.000Z']);
    await short.reporter.finish('stopped', 'test over');

    const finished = setUp({ intervalMs: 600_000 });
    await finished.reporter.start();
    finished.reporter.requestStarted();
    await finished.reporter.finish('stopped', 'test over');
    const linesBefore = logMessages().length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(logMessages()).toHaveLength(linesBefore);
  });

  it('calls onBudgetReached once, with the reason, when a cap is hit, and the status file says draining', async () => {
    const reasons: string[] = [];
    const { stats, reporter } = setUp({ budget: { maxTokens: 100 }, onBudgetReached: (reason) => reasons.push(reason) });
    await reporter.start();
    expect(reasons).toEqual([]);
    stats.onDispatchEvent({
      type: 'request-end',
      provider: 'mistral',
      model: 'mistral-small',
      role: 'assistant',
      latencyMs: 800,
      usage: { inputTokens: 90, outputTokens: 20 },
    });
    await reporter.report();
    await reporter.report();
    expect(reasons).toEqual(['token budget reached: 110 of 100 tokens']);
    expect(logMessages().some((line) => line.msg.startsWith('budget reached'))).toBe(true);
    // While the conversations in flight finish, `status` must say why the run is winding down.
    expect(await readStatusFile(statusFilePath(directory))).toMatchObject({ state: 'draining', stopReason: reasons[0] });
    await reporter.finish('stopped', reasons[0] as string);
  });

  it('records draining and then the final state, logs the summary and stops its timer', async () => {
    const { reporter } = setUp();
    await reporter.start();
    await reporter.drain('SIGINT');
    expect(await readStatusFile(statusFilePath(directory))).toMatchObject({ state: 'draining', stopReason: 'SIGINT' });
    await reporter.finish('stopped', 'SIGINT');
    const final = await readStatusFile(statusFilePath(directory));
    expect(final).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });
    const summary = logMessages().find((line) => line.msg === 'run summary');
    expect(summary?.summary).toContain('stopped: SIGINT');
    const linesBefore = logMessages().length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(logMessages()).toHaveLength(linesBefore);
  });

  it('a status file that cannot be written is logged as a warning and the run goes on', async () => {
    const { reporter } = setUp({ statusFile: path.join(directory, 'missing-directory', 'status.json') });
    await expect(reporter.start()).resolves.toMatchObject({ saved: 2 });
    expect(logMessages().some((line) => line.msg === 'could not write the status file')).toBe(true);
    await reporter.finish('stopped', 'test over');
  });
});
