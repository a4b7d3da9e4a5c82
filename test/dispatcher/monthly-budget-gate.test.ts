import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ledgerPath, MonthlyBudget, SpendLedger } from '../../src/budget/index.js';
import type { MonthlyBudgets } from '../../src/core/budget.js';
import { createRandom } from '../../src/core/random.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor } from './fake-provider.js';

/** 400 characters (100 tokens) in, at most 100 out: each request reserves 200 tokens. */
const turn = [{ role: 'user' as const, content: 'x'.repeat(400) }];
const request = { role: 'assistant' as const, messages: turn, maxTokens: 100 };

describe('the dispatcher with monthly budgets (a real ledger behind the gate)', () => {
  let workspace: { path: string; cleanup: () => void };
  let ledger: SpendLedger;
  const spent: string[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2026-11-20T12:00:00Z'));
    workspace = makeTempDir();
    ledger = SpendLedger.open(ledgerPath(workspace.path)).ledger;
    spent.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
    ledger.close();
    workspace.cleanup();
  });

  function setUp(budgets: MonthlyBudgets, scripts: { mistral: FakeProvider; together: FakeProvider }) {
    const recorder = eventRecorder();
    const log = vi.fn();
    const gate = new MonthlyBudget({
      ledger,
      budgets,
      prices: {},
      providers: ['mistral', 'together'],
      onSpent: (reason) => spent.push(reason),
    });
    const dispatcher = new Dispatcher({
      providers: [slotFor(scripts.mistral, 50), slotFor(scripts.together, 50)],
      random: createRandom(5),
      budget: gate,
      onEvent: recorder.onEvent,
      log,
    });
    return { dispatcher, recorder, log };
  }

  it("a provider out of its own budget is disabled with the reason and its conversations continue on the other", async () => {
    // 60 tokens used per request: the 1,000-token budget holds 4 reservations of 200, then 14 settled requests.
    const mistral = new FakeProvider('mistral', () => ok(200, { inputTokens: 40, outputTokens: 20 }));
    const together = new FakeProvider('together', () => ok(200, { inputTokens: 40, outputTokens: 20 }));
    const { dispatcher, recorder, log } = setUp({ overall: {}, providers: { mistral: { tokens: 1_000 } } }, { mistral, together });
    const sessions = Array.from({ length: 4 }, () => dispatcher.session({ preferred: 'mistral' }));
    const runs = sessions.map(async (session) => {
      for (let index = 0; index < 10; index++) await session.complete(request);
    });
    const results = await settleAll(runs);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const mistralUsed = ledger.spent('2026-11').get('mistral')!;
    expect(mistralUsed.tokens).toBe(mistral.calls.length * 60);
    // Refused only once the used tokens plus the other three sessions' reservations left no room for 200 more.
    expect(mistralUsed.tokens).toBeGreaterThan(1_000 - 4 * 200);
    expect(mistralUsed.tokens).toBeLessThanOrEqual(1_000);
    expect(together.calls.length).toBe(40 - mistral.calls.length);
    const disabled = recorder.events.find((event) => event.type === 'provider-state' && event.provider === 'mistral');
    expect(disabled).toMatchObject({ state: { status: 'disabled', reason: expect.stringMatching(/^monthly budget spent \([\d,]+ of 1,000 tokens\); resets 2026-12-01$/) } });
    expect(log).toHaveBeenCalledWith('error', expect.stringMatching(/^provider mistral disabled: monthly budget spent .*; the run continues on the others$/), { provider: 'mistral' });
    expect(sessions.flatMap((session) => session.switches)).toContainEqual(expect.objectContaining({ from: 'mistral', to: 'together', reason: expect.stringContaining('monthly budget spent') }));
    expect(spent).toEqual([]);
  });

  it('when the overall budget has no room, requests fail as aborted without being sent, and the run is told once', async () => {
    const mistral = new FakeProvider('mistral', () => ok(200, { inputTokens: 100, outputTokens: 100 }));
    const together = new FakeProvider('together', () => ok(200, { inputTokens: 100, outputTokens: 100 }));
    const { dispatcher } = setUp({ overall: { tokens: 1_000 }, providers: {} }, { mistral, together });
    const runs = Array.from({ length: 3 }, async () => {
      const session = dispatcher.session();
      for (let index = 0; index < 10; index++) await session.complete(request);
    });
    const results = await settleAll(runs);

    expect(mistral.calls.length + together.calls.length).toBe(5);
    expect(ledger.spent('2026-11').get('mistral')!.tokens + ledger.spent('2026-11').get('together')!.tokens).toBe(1_000);
    for (const result of results) {
      expect(result).toMatchObject({ status: 'rejected', reason: { kind: 'aborted', message: expect.stringMatching(/not sent: overall monthly budget spent \(1,000 of 1,000 tokens\)/) } });
    }
    expect(spent).toEqual(['overall monthly budget spent (1,000 of 1,000 tokens); resets 2026-12-01']);
  });

  it('a failed request gives its reservation back; a retry reserves again', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? fail('server', 500) : ok(200, { inputTokens: 100, outputTokens: 50 })));
    const together = new FakeProvider('together', () => ok(200));
    const { dispatcher } = setUp({ overall: { tokens: 1_000 }, providers: {} }, { mistral, together });
    const session = dispatcher.session({ preferred: 'mistral' });
    const results = await settleAll([session.complete(request)]);

    expect(results[0]?.status).toBe('fulfilled');
    expect(mistral.calls.length).toBe(2);
    expect(ledger.spent('2026-11')).toEqual(new Map([['mistral', { tokens: 150, cost: 0 }]]));
    expect(ledger.reserved('2026-11').size).toBe(0);
  });

  it('a request we cut off once it was sent keeps its whole reservation: the server may have generated and billed it', async () => {
    const mistral = new FakeProvider('mistral', () => ({ hang: true }));
    const together = new FakeProvider('together', () => ok(200));
    const { dispatcher } = setUp({ overall: { tokens: 1_000 }, providers: {} }, { mistral, together });
    const stop = new AbortController();
    const cutOff = dispatcher.session({ preferred: 'mistral' }).complete({ ...request, signal: stop.signal });
    await vi.advanceTimersByTimeAsync(50);
    expect(mistral.calls.length).toBe(1);
    stop.abort(new Error('a drain, a sibling that failed, or a spare stopped at the target'));
    const results = await settleAll([cutOff]);

    expect(results[0]).toMatchObject({ status: 'rejected', reason: { kind: 'aborted' } });
    // 100 tokens in and the 100 the request allowed out: what it reserved, not a refund.
    expect(ledger.spent('2026-11')).toEqual(new Map([['mistral', { tokens: 200, cost: 0 }]]));
    expect(ledger.reserved('2026-11').size).toBe(0);
  });
});
