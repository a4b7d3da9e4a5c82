import { describe, expect, it } from 'vitest';
import { ConversationDiscarded } from '../../src/core/types.js';
import type { PipelineContext, UnitOfWork } from '../../src/pipelines/contract.js';
import { startEchoRun, useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * Once all the target needs is in flight, the runner starts spares for the failures its run has
 * seen, saves the first conversations to finish and stops the rest. The real dispatcher, SDK and
 * store, the emulator over HTTP, the echo test pipeline wrapped to fail, stall or wait on cue.
 */
const fixture = useEchoRunnerFixture(9);

interface Start {
  readonly id: string;
  /** What the target still needed when it started, and how many were in flight with it, itself included. */
  readonly needed: number;
  readonly inFlight: number;
}

/**
 * Runs to `target`; `before(start number, context)` may throw or stall a conversation before its
 * echo, `after(start number)` hold it once its echo is back.
 */
async function runSpares(
  target: number,
  before: (index: number, context: PipelineContext) => Promise<void>,
  after: (index: number) => Promise<void> = async () => undefined,
) {
  const starts: Start[] = [];
  const rejects: { id: string; reason: string; kind: string }[] = [];
  const { runner, stats, settlements, finish } = await startEchoRun(fixture, {
    target,
    concurrency: 8,
    requestsPerSecond: 200,
    pipeline: (echo, store) => ({
      run: async (context): Promise<UnitOfWork> => {
        starts.push({ id: context.conversationId, needed: target - store.count, inFlight: runner.inFlight });
        const index = starts.length;
        await before(index, context);
        const unit = await echo.run(context);
        await after(index);
        return unit;
      },
    }),
    rejects: { append: async (record) => void rejects.push({ id: record.id, reason: record.reason, kind: record.error.kind }) },
  });
  const { outcome, saved } = await finish();
  expect(outcome).toEqual({ kind: 'target_reached' });
  return { starts, saved, rejects, record: stats.snapshot(), settlements };
}

/** Resolves when `signal` aborts, or after `ms`. */
function abortedOr(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

describe('spares near the end of a run', () => {
  it('without a failure, no conversation is started beyond what the target needs', async () => {
    const { starts, saved, record } = await runSpares(12, async () => undefined);
    expect(starts).toHaveLength(12);
    for (const start of starts) expect(start.inFlight).toBeLessThanOrEqual(start.needed);
    expect(new Set(saved).size).toBe(12);
    expect(record.surplus).toBeUndefined();
  });

  it('after a failure, a spare finishes in place of a stalled conversation, which is stopped and written to the rejects as surplus, not as a failure', async () => {
    const { starts, saved, rejects, record, settlements } = await runSpares(6, async (index, context) => {
      if (index === 1) throw new ConversationDiscarded('invalid_output', 'the first one fails');
      // The second stalls for 10 s unless stopped: a conversation stuck on its retries.
      if (index === 2) await abortedOr(context.signal, 10_000);
    });
    // A spare: started while every conversation the target still needed was already in flight.
    expect(starts.some((start) => start.inFlight > start.needed)).toBe(true);
    expect(saved).toHaveLength(6);
    expect(new Set(saved).size).toBe(6);
    expect(saved).not.toContain('conversation-2');
    expect(rejects).toEqual([
      { id: 'conversation-1', reason: 'invalid_output', kind: 'unusable_reply' },
      { id: 'conversation-2', reason: 'surplus', kind: 'surplus' },
    ]);
    expect(record.surplus).toBe(1);
    expect(record.discarded).toEqual({ invalid_output: 1 });
    expect(record).toMatchObject({ saved: 6, started: starts.length, inFlight: 0 });
    expect(record.started).toBe(6 + 1 + 1);
    expect(settlements.committed.sort()).toEqual([...saved].sort());
  });

  it('a failure met before the target was reached, still settling when it is, stays a discard with its own reason', async () => {
    const { saved, rejects, record } = await runSpares(6, async (index, context) => {
      if (index === 1) throw new ConversationDiscarded('invalid_output', 'the first one fails');
      // The second's rewrite failed; it waits for its other requests, which the target's stop ends.
      if (index === 2) {
        await abortedOr(context.signal, 10_000);
        throw new ConversationDiscarded('rewrite_failed', 'a rewrite failed for good before the target was reached');
      }
    });
    expect(saved).toHaveLength(6);
    expect(rejects).toEqual([
      { id: 'conversation-1', reason: 'invalid_output', kind: 'unusable_reply' },
      { id: 'conversation-2', reason: 'rewrite_failed', kind: 'unusable_reply' },
    ]);
    expect(record.discarded).toEqual({ invalid_output: 1, rewrite_failed: 1 });
    expect(record.surplus).toBeUndefined();
    expect(record).toMatchObject({ started: 8, inFlight: 0 });
  });

  it('spares that finish together with the last needed one are rolled back: the output holds the target, not one more', async () => {
    const target = 2;
    let waiting = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    const { starts, saved, rejects, record, settlements } = await runSpares(
      target,
      async (index) => {
        if (index === 1) throw new ConversationDiscarded('invalid_output', 'the first one fails');
      },
      async () => {
        // Each later one, its echo back, waits for the others; then all finish at once: 3 for the 2 needed.
        waiting += 1;
        if (waiting === 3) release();
        await together;
      },
    );
    expect(starts).toHaveLength(4);
    expect(saved).toHaveLength(target);
    expect(new Set(saved).size).toBe(target);
    expect(record.surplus).toBe(1);
    expect(record).toMatchObject({ saved: target, started: 4, inFlight: 0 });
    expect(settlements.committed.sort()).toEqual([...saved].sort());
    expect(settlements.rolledBack).toHaveLength(1);
    expect(saved).not.toContain(settlements.rolledBack[0]);
    // The one rolled back is in the rejects with its requests, as surplus.
    expect(rejects).toEqual([
      { id: 'conversation-1', reason: 'invalid_output', kind: 'unusable_reply' },
      { id: settlements.rolledBack[0], reason: 'surplus', kind: 'surplus' },
    ]);
  });
});
