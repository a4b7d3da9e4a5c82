import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatBudgetReport, ledgerPath, MonthlyBudget, readBudgetReport, SpendLedger, type MonthlyBudgetOptions } from '../../src/budget/index.js';
import type { BudgetDecision, BudgetReservation } from '../../src/core/budget.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const NOVEMBER = Date.parse('2026-11-30T23:00:00Z');
const DECEMBER = Date.parse('2026-12-01T00:30:00Z');
const PRICES = { small: { inputPerMillion: 1_000, outputPerMillion: 2_000 } };

function granted(decision: BudgetDecision): BudgetReservation {
  if (!decision.granted) throw new Error(`expected a reservation, got a refusal: ${decision.reason}`);
  return decision.reservation;
}

describe('monthly budgets: reserve before sending, settle after', () => {
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let ledger: SpendLedger;
  let clock: number;
  const spentReasons: string[] = [];

  beforeEach(() => {
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    ledger = SpendLedger.open(ledgerPath(dataDir)).ledger;
    clock = NOVEMBER;
    spentReasons.length = 0;
  });
  afterEach(() => {
    ledger.close();
    workspace.cleanup();
  });

  const budget = (options: Partial<MonthlyBudgetOptions>) =>
    new MonthlyBudget({
      ledger,
      budgets: { overall: {}, providers: {} },
      prices: PRICES,
      providers: ['mistral', 'together'],
      now: () => clock,
      onSpent: (reason) => spentReasons.push(reason),
      ...options,
    });
  const claim = (provider: 'mistral' | 'together', tokens: number) => ({ provider, model: 'small', inputTokens: tokens / 2, outputTokens: tokens / 2 });

  it('what is reserved in flight counts, so concurrent requests never take a budget past its limit', () => {
    const gate = budget({ budgets: { overall: { tokens: 10_000 }, providers: {} } });
    const held = [granted(gate.reserve(claim('mistral', 4_000))), granted(gate.reserve(claim('together', 4_000)))];
    const refused = gate.reserve(claim('mistral', 4_000));
    expect(refused).toEqual({ granted: false, scope: 'overall', reason: 'overall monthly budget spent (8,000 of 10,000 tokens); resets 2026-12-01' });
    expect(spentReasons).toEqual([refused.granted ? '' : refused.reason]);
    // Settling with the reported usage frees what the estimate held beyond it; a failure refunds all.
    gate.settle(held[0]!, { inputTokens: 1_000, outputTokens: 500 });
    gate.settle(held[1]!, undefined);
    granted(gate.reserve(claim('mistral', 8_000)));
    expect(gate.reserve(claim('mistral', 1_000)).granted).toBe(false);
    // Reported once a month, not at every refusal.
    expect(spentReasons).toHaveLength(1);
  });

  it("a provider's own budget refuses only that provider, until every provider of the run is out", () => {
    const gate = budget({ budgets: { overall: {}, providers: { mistral: { tokens: 5_000 }, together: { costUsd: 10 } } } });
    gate.settle(granted(gate.reserve(claim('mistral', 4_000))), { inputTokens: 2_000, outputTokens: 2_000 });
    expect(gate.reserve(claim('mistral', 2_000))).toEqual({
      granted: false,
      scope: 'provider',
      reason: 'monthly budget spent (4,000 of 5,000 tokens); resets 2026-12-01',
    });
    expect(spentReasons).toEqual([]);
    // 2,000 tokens of "small" cost 1000 × 1000/1e6 + 2000 × 1000/1e6 = $3.
    gate.settle(granted(gate.reserve(claim('together', 2_000))), { inputTokens: 1_000, outputTokens: 1_000 });
    gate.settle(granted(gate.reserve(claim('together', 2_000))), { inputTokens: 1_000, outputTokens: 1_000 });
    gate.settle(granted(gate.reserve(claim('together', 2_000))), { inputTokens: 1_000, outputTokens: 1_000 });
    expect(gate.reserve(claim('together', 2_000))).toMatchObject({ scope: 'provider', reason: 'monthly budget spent ($9.00 of $10.00); resets 2026-12-01' });
    expect(spentReasons).toEqual(["every provider's monthly budget is spent (last: together, monthly budget spent ($9.00 of $10.00); resets 2026-12-01)"]);
  });

  it('a restart in the same month sees the spend; the next month starts afresh, in the same process too', () => {
    const limits = { overall: { tokens: 3_000 }, providers: { mistral: { tokens: 1_000 } } };
    const gate = budget({ budgets: limits });
    gate.settle(granted(gate.reserve(claim('mistral', 1_000))), { inputTokens: 600, outputTokens: 400 });
    gate.settle(granted(gate.reserve(claim('together', 2_000))), { inputTokens: 1_000, outputTokens: 1_000 });

    const restarted = budget({ budgets: limits });
    expect(restarted.overallSpentReason()).toBe('overall monthly budget spent (3,000 of 3,000 tokens); resets 2026-12-01');
    expect(restarted.providerSpentReason('mistral')).toBe('monthly budget spent (1,000 of 1,000 tokens); resets 2026-12-01');
    expect(restarted.providerSpentReason('together')).toBeUndefined();

    clock = DECEMBER;
    expect(restarted.overallSpentReason()).toBeUndefined();
    expect(restarted.providerSpentReason('mistral')).toBeUndefined();
    granted(restarted.reserve(claim('mistral', 1_000)));
  });

  it('a budget found with too little room stays spent for a restart that month, unless it is raised', () => {
    ledger.writeLimits({ overall: { tokens: 10_000 }, providers: { mistral: { tokens: 3_000 } } });
    const gate = budget({ budgets: { overall: { tokens: 10_000 }, providers: { mistral: { tokens: 3_000 } } } });
    const held = granted(gate.reserve(claim('together', 6_000)));
    gate.settle(granted(gate.reserve(claim('mistral', 2_000))), { inputTokens: 500, outputTokens: 500 });
    expect(gate.reserve(claim('mistral', 2_500)).granted).toBe(false);
    expect(gate.reserve(claim('together', 4_000)).granted).toBe(false);
    gate.settle(held, { inputTokens: 1_000, outputTokens: 1_000 });

    // 3,000 of 10,000 used, but the last run found no room: the restart sends nothing.
    const restarted = budget({ budgets: { overall: { tokens: 10_000 }, providers: { mistral: { tokens: 3_000 } } } });
    expect(restarted.overallSpentReason()).toBe('overall monthly budget spent (7,000 of 10,000 tokens); resets 2026-12-01');
    expect(restarted.providerSpentReason('mistral')).toBe('monthly budget spent (1,000 of 3,000 tokens); resets 2026-12-01');
    const report = readBudgetReport(dataDir, NOVEMBER)!;
    expect(report.overall.spentReason).toBe('overall monthly budget spent (7,000 of 10,000 tokens); resets 2026-12-01');
    expect(formatBudgetReport(report)).toContain(
      '   overall: 3,000 of 10,000 tokens used, 7,000 left — spent until 2026-12-01 (too little left for a request)',
    );

    const raised = budget({ budgets: { overall: { tokens: 20_000 }, providers: { mistral: { tokens: 4_000 } } } });
    expect(raised.overallSpentReason()).toBeUndefined();
    expect(raised.providerSpentReason('mistral')).toBeUndefined();
    // A cost budget added beside the same token budget tightens it: still spent.
    expect(budget({ budgets: { overall: { tokens: 10_000, costUsd: 5 }, providers: {} } }).overallSpentReason()).toMatch(/^overall monthly budget spent/);
    const removed = budget({ budgets: { overall: {}, providers: {} } });
    expect(removed.overallSpentReason()).toBeUndefined();
  });

  it('a ledger that cannot be written is a storage failure (the run stops), not a refusal', () => {
    const gate = budget({ budgets: { overall: { tokens: 10_000 }, providers: {} } });
    ledger.close();
    let thrown: unknown;
    try {
      gate.reserve(claim('mistral', 1_000));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'STORE_LEDGER_FAILED', message: expect.stringMatching(/^the monthly spend ledger cannot be written/) });
  });

  it('a request reserved in one month settles into that month', () => {
    const gate = budget({ budgets: { overall: { tokens: 100_000 }, providers: {} } });
    const reservation = granted(gate.reserve(claim('mistral', 2_000)));
    clock = DECEMBER;
    gate.settle(reservation, { inputTokens: 700, outputTokens: 300 });
    expect(ledger.spent('2026-11').get('mistral')).toEqual({ tokens: 1_000, cost: 1.3 });
    expect(ledger.spent('2026-12').size).toBe(0);
  });

  it('status reads what is left of each budget from the data directory alone', () => {
    ledger.writeLimits({ overall: { tokens: 10_000, costUsd: 50 }, providers: { mistral: { tokens: 2_000 } } });
    const gate = budget({ budgets: { overall: { tokens: 10_000, costUsd: 50 }, providers: { mistral: { tokens: 2_000 } } } });
    gate.settle(granted(gate.reserve(claim('mistral', 2_000))), { inputTokens: 1_000, outputTokens: 1_000 });
    gate.settle(granted(gate.reserve(claim('together', 2_000))), { inputTokens: 1_000, outputTokens: 500 });
    granted(gate.reserve(claim('together', 1_000)));

    const report = readBudgetReport(dataDir, NOVEMBER)!;
    expect(report).toMatchObject({ month: '2026-11', resetsOn: '2026-12-01', overall: { used: { tokens: 3_500 }, reserved: { tokens: 1_000 } } });
    expect(formatBudgetReport(report)).toBe(
      [
        '💰 Monthly budgets, November 2026 (UTC; resets 2026-12-01):',
        '   overall: 3,500 of 10,000 tokens used, 5,500 left · $5.00 of $50.00 used, $43.50 left',
        '   mistral: 2,000 of 2,000 tokens used, 0 left — spent until 2026-12-01',
        '   together: 1,500 tokens, $2.00 used (no monthly budget)',
        '   (1,000 tokens reserved by requests in flight)',
      ].join('\n'),
    );
    expect(readBudgetReport(dataDir, DECEMBER)!.overall.used).toEqual({ tokens: 0, cost: 0 });
    expect(readBudgetReport(path.join(workspace.path, 'elsewhere'), NOVEMBER)).toBeUndefined();
  });
});
