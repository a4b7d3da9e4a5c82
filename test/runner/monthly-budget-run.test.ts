import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerPath, monthOf, resetDateOf, SpendLedger } from '../../src/budget/index.js';
import { readStatusFile } from '../../src/stats/index.js';
import { prepareDaemonData, readConversations, readLogRecords } from '../helpers/daemon.js';
import { runCli } from '../helpers/run-cli.js';
import { daemonSuite } from '../helpers/daemon-suite.js';

const FAST = { requestsPerSecond: 60 };

describe('monthly budgets over real runs: kept in the data directory, across restarts', () => {
  const suite = daemonSuite({ seed: 33, defaults: { latency: { medianMs: 10, sigma: 0.3 } } });
  let runs = 0;

  function newDataDir(): string {
    runs++;
    return path.join(suite.workspace, `data-${runs}`);
  }

  async function runDaemon(dataDir: string, env: Record<string, string>, target: number) {
    const daemon = suite.spawn(['--target', String(target), '--data-dir', dataDir, '--progress-interval', '0.2', '--concurrency', '6'], {
      cwd: suite.workspace,
      env,
    });
    const { code } = await daemon.exited;
    return { code, output: daemon.output() };
  }

  const emulatorTokens = (provider: 'mistral' | 'together') => {
    const counters = suite.emulator.counters()[provider];
    return counters.tokens.input + counters.tokens.output;
  };
  /**
   * A request cut off once sent (a spare stopped at the target, a rewrite's siblings aborted when
   * one is refused in a drain, a silence limit) keeps its whole reservation, as the server may have
   * billed it: each provider's ledger holds at least what the emulator served, and exactly that
   * when none of its requests was cut off or failed (the run's last progress record says).
   */
  const expectLedgerCovers = (dataDir: string, served: Record<'mistral' | 'together', number>): void => {
    const counted = ledgerTokens(dataDir);
    const progress = readLogRecords(dataDir).filter((record) => record.msg === 'progress').at(-1) as { providers: Record<string, { aborted: number; errors: number }> };
    for (const provider of ['mistral', 'together'] as const) {
      expect(counted.get(provider) ?? 0).toBeGreaterThanOrEqual(served[provider]);
      const { aborted = 0, errors = 0 } = progress.providers[provider] ?? {};
      if (aborted + errors === 0) expect(counted.get(provider) ?? 0).toBe(served[provider]);
    }
  };
  const ledgerTokens = (dataDir: string): Map<string, number> => {
    const ledger = SpendLedger.openReadOnly(ledgerPath(dataDir))!;
    try {
      return new Map([...ledger.spent(monthOf(Date.now()))].map(([provider, spend]) => [provider, spend.tokens]));
    } finally {
      ledger.close();
    }
  };
  const thisMonthReset = resetDateOf(monthOf(Date.now()));

  it("a provider whose monthly budget is spent stops taking work and the run reaches its target on the other", async () => {
    suite.emulator.resetCounters();
    const dataDir = newDataDir();
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: FAST, together: FAST }, {});
    const secretsPath = path.join(dataDir, 'secrets.json');
    const secrets = JSON.parse(readFileSync(secretsPath, 'utf8'));
    secrets.providers.mistral.monthly_tokens = 20_000;
    writeFileSync(secretsPath, JSON.stringify(secrets));

    const run = await runDaemon(dataDir, env, 30);

    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'))).toHaveLength(30);
    // What the emulator served is what the ledger counted, and mistral's never passed its budget.
    expect(emulatorTokens('mistral')).toBeGreaterThan(0);
    expect(emulatorTokens('mistral')).toBeLessThanOrEqual(20_000);
    expectLedgerCovers(dataDir, { mistral: emulatorTokens('mistral'), together: emulatorTokens('together') });
    expect(ledgerTokens(dataDir).get('mistral')).toBeLessThanOrEqual(20_000);
    expect(emulatorTokens('together')).toBeGreaterThan(emulatorTokens('mistral'));
    const reason = new RegExp(`^monthly budget spent \\([\\d,]+ of 20,000 tokens\\); resets ${thisMonthReset}$`);
    const status = await readStatusFile(path.join(dataDir, 'status.json'));
    expect(status.state).toBe('finished');
    expect(status.providers.mistral?.state).toMatchObject({ status: 'disabled', reason: expect.stringMatching(reason) });
    expect(readLogRecords(dataDir).some((record) => /^provider mistral disabled: monthly budget spent .*the run continues on the others$/.test(String(record.msg)))).toBe(true);
  });

  it('the overall budget drains the run and exits 0 saying so; a restart that month sends nothing; status shows what is left', async () => {
    suite.emulator.resetCounters();
    const dataDir = newDataDir();
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: FAST, together: FAST }, { budgets: { monthly_tokens: 40_000 } });

    const first = await runDaemon(dataDir, env, 1000);

    expect(first.code, first.output.slice(-3000)).toBe(0);
    const overall = new RegExp(`overall monthly budget spent \\([\\d,]+ of 40,000 tokens\\); resets ${thisMonthReset}`);
    expect(first.output).toMatch(overall);
    const summary = readLogRecords(dataDir).find((record) => record.msg === 'run summary')!;
    expect(summary).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(overall) });
    const saved = readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl')).length;
    expect(saved).toBeGreaterThan(0);
    const served = emulatorTokens('mistral') + emulatorTokens('together');
    expect(served).toBeLessThanOrEqual(40_000);
    expectLedgerCovers(dataDir, { mistral: emulatorTokens('mistral'), together: emulatorTokens('together') });
    expect([...ledgerTokens(dataDir).values()].reduce((sum, tokens) => sum + tokens, 0)).toBeLessThanOrEqual(40_000);

    // The same command again, the same month.
    suite.emulator.resetCounters();
    const again = await runDaemon(dataDir, env, 1000);
    expect(again.code, again.output.slice(-3000)).toBe(0);
    expect(again.output).toMatch(new RegExp(`${overall.source}: nothing will be sent until then`));
    expect(suite.emulator.counters().mistral.requests + suite.emulator.counters().together.requests).toBe(0);
    expect(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'))).toHaveLength(saved);
    const status = await readStatusFile(path.join(dataDir, 'status.json'));
    expect(status).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(overall) });

    const shown = await runCli(['status', '--data-dir', dataDir], { cwd: suite.workspace });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`💰 Monthly budgets`);
    expect(shown.stdout).toMatch(new RegExp(`overall: [\\d,]+ of 40,000 tokens used, [\\d,]+ left — spent until ${thisMonthReset}`));
  });

  it('next month the budget is whole again: last month’s spend does not count', async () => {
    suite.emulator.resetCounters();
    const dataDir = newDataDir();
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: FAST, together: FAST }, { budgets: { monthly_tokens: 40_000 } });
    // Last month spent all of it (recorded as a run then would have).
    const firstOfThisMonth = Date.parse(`${monthOf(Date.now())}-01T00:00:00Z`);
    const lastMonth = monthOf(firstOfThisMonth - 1);
    const { ledger } = SpendLedger.open(ledgerPath(dataDir));
    ledger.settle(ledger.reserve(lastMonth, 'mistral', { tokens: 40_000, cost: 0 }), lastMonth, 'mistral', { tokens: 40_000, cost: 0 });
    ledger.close();

    const run = await runDaemon(dataDir, env, 3);

    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'))).toHaveLength(3);
    expect(suite.emulator.counters().mistral.requests + suite.emulator.counters().together.requests).toBeGreaterThan(0);
  });
});
