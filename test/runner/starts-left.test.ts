import { describe, expect, it } from 'vitest';
import { createRandom, integerBetween, seedFromString } from '../../src/core/random.js';
import { ConversationDiscarded } from '../../src/core/types.js';
import { TurnPlanner } from '../../src/pipelines/ada/turn-planner.js';
import { startEchoRun, useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * Each conversation is told how many the run will certainly start after it (PipelineContext.startsLeft),
 * so a pipeline can keep its shortest work for the end. Real dispatcher, SDK, emulator and store;
 * the echo test pipeline, every fourth conversation discarded.
 */
const fixture = useEchoRunnerFixture(5);

/** Runs the echo pipeline to `target`, one in four conversations discarded, each start's planned length drawn by a real TurnPlanner. */
async function runWithPlanner(target: number, concurrency: number, drainAtStart?: number) {
  const planner = new TurnPlanner(createRandom(seedFromString('starts-left')), { min: 1, max: 3 }, 8);
  const starts: { startsLeft: number | undefined; needed: number; plan: number; nowAtStart: number | undefined; inFlight: number | undefined }[] = [];
  /** What each conversation read from startsLeftNow as it finished, in the order they finished. */
  const atEnd: (number | undefined)[] = [];
  /** How many conversations had finished when the drain began. */
  let drainedAfter: number | undefined;
  const { runner, finish } = await startEchoRun(fixture, {
    target,
    concurrency,
    requestsPerSecond: 200,
    pipeline: (echo, store) => ({
      run: async (context) => {
        starts.push({
          startsLeft: context.startsLeft,
          needed: target - store.count,
          plan: planner.next(context.startsLeft),
          nowAtStart: context.startsLeftNow?.(),
          inFlight: context.inFlightAtStart,
        });
        if (starts.length === drainAtStart) {
          runner.drain('the test drains');
          drainedAfter = atEnd.length;
        }
        try {
          if (starts.length % 4 === 0) throw new ConversationDiscarded('invalid_output', 'every fourth one fails here');
          return await echo.run(context);
        } finally {
          atEnd.push(context.startsLeftNow?.());
        }
      },
    }),
  });
  const { outcome } = await finish();
  expect(outcome).toEqual(drainAtStart === undefined ? { kind: 'target_reached' } : { kind: 'drained', reason: 'the test drains' });
  return { starts, planner, atEnd, drainedAfter };
}

/** The planner's stream drawn plainly, as many times as the run started conversations. */
function plainDraws(count: number): number[] {
  const random = createRandom(seedFromString('starts-left'));
  return Array.from({ length: count }, () => integerBetween(random, 1, 3));
}

describe('the starts a run still expects', () => {
  it('one at a time, each start is told what the target needs less itself, whatever failed before', async () => {
    const { starts, planner } = await runWithPlanner(24, 1);
    // 24 saved and 7 discarded (every fourth start up to the 28th).
    expect(starts).toHaveLength(31);
    expect(starts.map((start) => start.startsLeft)).toEqual(starts.map((start) => start.needed - 1));
    expect(starts.at(-1)?.startsLeft).toBe(0);
    expect(planner.held).toBe(0);
    expect(starts.every((start) => start.inFlight === 1)).toBe(true);
  });

  it('with several in flight and failures to replace, a planner ordering by it uses every plan it drew by the end', async () => {
    const { starts, planner } = await runWithPlanner(40, 4);
    expect(starts.at(-1)?.startsLeft).toBe(0);
    for (const start of starts) {
      expect(start.startsLeft).toBeLessThanOrEqual(start.needed - 1);
      expect(start.startsLeft).toBeGreaterThanOrEqual(start.needed - 4);
      // In flight with it, itself included: what the planner scales its reserve by.
      expect(start.inFlight).toBeGreaterThanOrEqual(1);
      expect(start.inFlight).toBeLessThanOrEqual(4);
    }
    expect(starts.some((start) => (start.inFlight ?? 0) > 1)).toBe(true);
    // Nothing is left held, so the plans used are exactly the draws made, in another order.
    expect(planner.held).toBe(0);
    const plans = starts.map((start) => start.plan);
    expect([...plans].sort()).toEqual(plainDraws(plans.length).sort());
    expect(plans).not.toEqual(plainDraws(plans.length));
  });

  it('read again as a conversation goes on (startsLeftNow), it follows the run: the same at its start, 0 at the end', async () => {
    const { starts, atEnd } = await runWithPlanner(40, 4);
    expect(starts.map((start) => start.nowAtStart)).toEqual(starts.map((start) => start.startsLeft));
    expect(atEnd.some((value) => value !== undefined && value > 0)).toBe(true);
    expect(atEnd.at(-1)).toBe(0);
  });

  it('once a drain begins, startsLeftNow is 0 for every conversation still going, though the target is far', async () => {
    const { starts, atEnd, drainedAfter } = await runWithPlanner(40, 4, 6);
    expect(starts.slice(0, 5).every((start) => (start.nowAtStart ?? 0) > 0)).toBe(true);
    const afterDrain = atEnd.slice(drainedAfter);
    // The sixth, and whichever of the others the dispatcher's suggestion had in flight with it.
    expect(afterDrain.length).toBeGreaterThanOrEqual(1);
    expect(afterDrain.every((value) => value === 0)).toBe(true);
  });
});
