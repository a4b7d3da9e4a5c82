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

  it('never holds more short plans than the starts left can use, even when the count jumps down', () => {
    const planner = new TurnPlanner(createRandom(seedFromString('jump')), TURNS, 32);
    for (let index = 0; index < 100; index++) planner.next(150 - index);
    const held = planner.held;
    expect(held).toBeGreaterThan(0);
    // The run now needs fewer starts than it holds (fewer failures than feared): the held plans go first.
    const rest = Array.from({ length: 5 }, (_, index) => planner.next(4 - index));
    expect(rest).toEqual([...rest].sort().reverse());
    expect(rest).not.toContain(3);
    expect(planner.held).toBe(held - 5);
  });

  it('with one length only there is nothing to reorder', () => {
    const planner = new TurnPlanner(createRandom(3), { min: 2, max: 2 }, 32);
    expect(planRun(planner, 100).every((plan) => plan === 2)).toBe(true);
    expect(planner.held).toBe(0);
  });
});
