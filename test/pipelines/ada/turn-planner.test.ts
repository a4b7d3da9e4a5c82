import { describe, expect, it } from 'vitest';
import { createRandom, integerBetween, seedFromString } from '../../../src/core/random.js';
import { TurnPlanner } from '../../../src/pipelines/ada/turn-planner.js';

const TURNS = { min: 1, max: 3 };

/** A run of `total` starts with nothing failing: each start is told how many come after it. */
function planRun(planner: TurnPlanner, total: number): number[] {
  return Array.from({ length: total }, (_, index) => planner.next(total - index - 1));
}

describe('planning the exchanges of each conversation', () => {
  it('a whole run starts its shortest conversations last, longest held first, with exactly the plans a plain run draws', () => {
    const plans = planRun(new TurnPlanner(createRandom(seedFromString('run')), TURNS, 48), 500);
    // The last 48 start from the longest held to the shortest, none of the longest length.
    const last = plans.slice(-48);
    expect(last).toEqual([...last].sort().reverse());
    expect(last).not.toContain(3);
    expect(last.slice(-10)).toEqual(Array.from({ length: 10 }, () => 1));
    expect(plans.slice(0, 100)).toContain(1);
    // A held plan was drawn earlier and its start drew again; every held one is used by the end, so
    // the run used the stream's first 500 draws, in another order.
    const plain = createRandom(seedFromString('run'));
    const drawn = Array.from({ length: 500 }, () => integerBetween(plain, TURNS.min, TURNS.max));
    expect([...plans].sort()).toEqual([...drawn].sort());
    expect(plans).not.toEqual(drawn);
  });

  it('with many conversations in flight it holds twice their number: 64 in flight, the last 128 starts take the held plans', () => {
    const planner = new TurnPlanner(createRandom(seedFromString('wide')), TURNS, 48);
    const plans = Array.from({ length: 1000 }, (_, index) => planner.next(1000 - index - 1, 64));
    const last = plans.slice(-128);
    expect(last).toEqual([...last].sort().reverse());
    expect(last).not.toContain(3);
    expect(planner.held).toBe(0);
    const plain = createRandom(seedFromString('wide'));
    expect([...plans].sort()).toEqual(Array.from({ length: 1000 }, () => integerBetween(plain, TURNS.min, TURNS.max)).sort());
    // Fewer in flight than half the reserve leave it as it was: the 49th start from the end is not held back.
    const few = new TurnPlanner(createRandom(seedFromString('wide')), TURNS, 48);
    const fewPlans = Array.from({ length: 1000 }, (_, index) => few.next(1000 - index - 1, 16));
    expect(fewPlans.slice(-128, -48)).toContain(3);
  });

  it('holds nothing back far from the end, so a run stopped early keeps the drawn mix in the drawn order', () => {
    const random = createRandom(seedFromString('early'));
    const plain = createRandom(seedFromString('early'));
    const planner = new TurnPlanner(random, TURNS, 32);
    const plans = Array.from({ length: 300 }, (_, index) => planner.next(5000 - index - 1));
    expect(plans).toEqual(Array.from({ length: 300 }, () => integerBetween(plain, TURNS.min, TURNS.max)));
    expect(planner.held).toBe(0);
  });

  it('without a count of starts left (another runner, a test) it draws as before', () => {
    const planner = new TurnPlanner(createRandom(7), TURNS);
    const plain = createRandom(7);
    const plans = Array.from({ length: 50 }, () => planner.next(undefined));
    expect(plans).toEqual(Array.from({ length: 50 }, () => integerBetween(plain, TURNS.min, TURNS.max)));
  });

  it('with conversations in flight and some failing, every plan held is used by the time the target is reached', () => {
    // The runner's count: what the target needs beyond those in flight. 16 in flight, one in six fails.
    const planner = new TurnPlanner(createRandom(seedFromString('flight')), TURNS, 48);
    const outcome = createRandom(seedFromString('outcomes'));
    const target = 400;
    let saved = 0;
    const inFlight: number[] = [];
    const plans: number[] = [];
    while (saved < target) {
      while (inFlight.length < Math.min(16, target - saved)) {
        inFlight.push(planner.next(target - saved - inFlight.length - 1));
        plans.push(inFlight.at(-1) as number);
      }
      inFlight.shift();
      if (outcome() >= 1 / 6) saved += 1;
    }
    expect(planner.held).toBe(0);
    const plain = createRandom(seedFromString('flight'));
    expect([...plans].sort()).toEqual(Array.from({ length: plans.length }, () => integerBetween(plain, TURNS.min, TURNS.max)).sort());
    expect(plans.length).toBeGreaterThan(target);
  });

  it('with one length only there is nothing to reorder', () => {
    const planner = new TurnPlanner(createRandom(3), { min: 2, max: 2 }, 32);
    expect(planRun(planner, 100).every((plan) => plan === 2)).toBe(true);
    expect(planner.held).toBe(0);
  });
});
