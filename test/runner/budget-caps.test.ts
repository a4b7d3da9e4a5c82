import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatusFile } from '../../src/stats/index.js';
import { EMULATOR_MODELS, prepareDaemonData, readLogRecords, type TestProvider } from '../helpers/daemon.js';
import { daemonSuite } from '../helpers/daemon-suite.js';

/** Far more than any budget below lets the run make. */
const TARGET = 1000;

interface Finished {
  readonly code: number | null;
  readonly output: string;
  readonly dataDir: string;
}

describe('budget caps stop a run cleanly, as a Ctrl+C would', () => {
  const suite = daemonSuite({ seed: 21, defaults: { latency: { medianMs: 10, sigma: 0.3 } } });
  let runs = 0;

  async function runDaemon(
    args: readonly string[],
    options: { extraSecrets?: Record<string, unknown>; provider?: TestProvider; onStart?: (dataDir: string) => void } = {},
  ): Promise<Finished> {
    runs++;
    const dataDir = path.join(suite.workspace, `data-${runs}`);
    const provider = options.provider ?? { requestsPerSecond: 60 };
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: provider, together: provider }, options.extraSecrets);
    // A fixed, small concurrency: the drain after the cap then takes a moment, not seconds.
    const running = suite.spawn(['--target', String(TARGET), '--data-dir', dataDir, '--progress-interval', '0.2', '--concurrency', '6', ...args], {
      cwd: suite.workspace,
      env,
    });
    options.onStart?.(dataDir);
    const { code } = await running.exited;
    return { code, output: running.output(), dataDir };
  }

  /** Every line of the output parses, and there are some but fewer than the target. */
  function expectCompleteOutput(dataDir: string): number {
    const text = readFileSync(path.join(dataDir, 'trainingData', 'conversations.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    for (const line of lines) {
      const conversation = JSON.parse(line) as { id: unknown; conversations: unknown[] };
      expect(typeof conversation.id).toBe('string');
      expect(conversation.conversations.length).toBeGreaterThan(1);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(TARGET);
    return lines.length;
  }

  /** The summary (log and terminal) and the status file both say it stopped, and why. */
  async function expectStoppedFor(run: Finished, reasonStart: string): Promise<Record<string, unknown>> {
    expect(run.code, run.output.slice(-3000)).toBe(0);
    const saved = expectCompleteOutput(run.dataDir);
    const records = readLogRecords(run.dataDir);
    const summary = records.find((record) => record.msg === 'run summary');
    expect(summary).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(new RegExp(`^${reasonStart}`)) });
    expect(summary!.summary).toContain(`stopped: ${reasonStart}`);
    expect(run.output).toContain(reasonStart);
    expect(records.some((record) => record.msg === 'budget reached; stopping after the conversations in flight' && record.level === 40)).toBe(true);
    const status = await readStatusFile(path.join(run.dataDir, 'status.json'));
    expect(status).toMatchObject({ state: 'stopped', saved, savedThisRun: saved, inFlight: 0 });
    expect(status.stopReason).toMatch(new RegExp(`^${reasonStart}`));
    return records.filter((record) => record.msg === 'progress').at(-1)!;
  }

  it('--max-tokens stops after the run has used that many tokens', async () => {
    const run = await runDaemon(['--max-tokens', '15000']);
    const last = await expectStoppedFor(run, 'token budget reached');
    const tokens = last.tokens as { input: number; output: number };
    expect(tokens.input + tokens.output).toBeGreaterThanOrEqual(15_000);
    // No "prices" in the configuration: no cost anywhere rather than a misleading "$0.00".
    expect(last.cost).toBeNull();
    expect(run.output).not.toContain('$0.00');
  });

  it('--max-cost stops when the priced tokens reach that cost', async () => {
    const price = { input_per_million: 10, output_per_million: 30 };
    const prices = Object.fromEntries(Object.values(EMULATOR_MODELS).map((model) => [model, price]));
    const run = await runDaemon(['--max-cost', '0.15'], { extraSecrets: { prices } });
    const last = await expectStoppedFor(run, 'cost budget reached');
    const cost = last.cost as { total: number; unpricedModels: string[] };
    expect(cost.unpricedModels).toEqual([]);
    expect(cost.total).toBeGreaterThanOrEqual(0.15);
  });

  it('--max-cost without a price for every model is refused before anything is written (the cap would miss their cost)', async () => {
    const prices = { [EMULATOR_MODELS.assistant]: { input_per_million: 10, output_per_million: 30 } };
    const run = await runDaemon(['--max-cost', '0.15'], { extraSecrets: { prices } });
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain(`Configuration error: --max-cost needs a price for every model the run may use; none for ${EMULATOR_MODELS.tester}, ${EMULATOR_MODELS.rewriter}`);
    expect(readdirSync(run.dataDir)).toEqual(['secrets.json']);
  });

  it('--max-hours stops after that much time', async () => {
    // 0.0005 h = 1.8 s.
    const run = await runDaemon(['--max-hours', '0.0005']);
    await expectStoppedFor(run, 'time budget reached');
    const summary = readLogRecords(run.dataDir).find((record) => record.msg === 'run summary')!;
    expect(summary.wallSeconds as number).toBeGreaterThanOrEqual(1.4);
    expect(summary.wallSeconds as number).toBeLessThan(10);
  });

  it('a budget stop gives slow conversations the grace period, then aborts them, and the status file says draining meanwhile', async () => {
    const states = new Set<string>();
    let poller: NodeJS.Timeout | undefined;
    // Each request takes about a second, so a conversation needs several: none can finish in the grace.
    const slow: TestProvider = { requestsPerSecond: 60, emulator: { latency: { medianMs: 1000, sigma: 0.1 } } };
    const run = await runDaemon(['--max-hours', '0.0003', '--grace-seconds', '1'], {
      provider: slow,
      onStart: (dataDir) => {
        poller = setInterval(() => {
          readStatusFile(path.join(dataDir, 'status.json')).then(
            (status) => states.add(`${status.state}: ${status.stopReason ?? ''}`),
            () => undefined,
          );
        }, 50);
      },
    }).finally(() => clearInterval(poller));
    expect(run.code, run.output.slice(-3000)).toBe(0);
    const records = readLogRecords(run.dataDir);
    // From the cap to the end: the 1 s grace and some slack, not the conversations' remaining seconds.
    const budgetAt = Date.parse(records.find((record) => String(record.msg).startsWith('budget reached'))!.time as string);
    const endAt = Date.parse(records.find((record) => record.msg === 'run summary')!.time as string);
    expect(endAt - budgetAt).toBeGreaterThanOrEqual(1_000);
    expect(endAt - budgetAt).toBeLessThan(3_500);
    expect(records.find((record) => record.msg === 'run summary')).toMatchObject({
      state: 'stopped',
      stopReason: expect.stringMatching(/^time budget reached/),
    });
    const last = records.filter((record) => record.msg === 'progress').at(-1)!;
    expect(last.inFlight).toBe(0);
    expect((last.discarded as Record<string, number>).aborted).toBeGreaterThan(0);
    expect([...states].some((state) => /^draining: time budget reached/.test(state))).toBe(true);
  });
});
