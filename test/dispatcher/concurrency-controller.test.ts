import { describe, expect, it } from 'vitest';
import { ConcurrencyController, type ProviderFlow } from '../../src/dispatcher/concurrency-controller.js';

const flow = (sample: Partial<ProviderFlow['sample']>, rate = 10, usable = true): ProviderFlow => ({
  sample: { idleMs: 0, waitingMs: 0, starts: 0, elapsedMs: 1_000, ...sample },
  rate,
  usable,
});

describe('the concurrency controller', () => {
  it('a provider that let 3 of its 10 starts pass with nobody waiting gets about 30 % more conversations', () => {
    const controller = new ConcurrencyController(20, 0);
    // 300 ms idle at 10 req/s = 3 missed starts; 7 were made: 20 × 3 / 7 ≈ 8.6 short, 80 % of it now.
    const target = controller.update(1_000, [flow({ idleMs: 300, starts: 7 })], controller.target, 1_000);
    expect(target).toBe(27);
  });

  it('a starved provider while the caller holds fewer than the target (conversations just ended, a cap) changes nothing', () => {
    const controller = new ConcurrencyController(20, 0);
    expect(controller.update(1_000, [flow({ idleMs: 300, starts: 7 })], 12, 1_000)).toBe(20);
  });

  it('with no start at all while starts were free, the target doubles (and no more)', () => {
    const controller = new ConcurrencyController(5, 0);
    expect(controller.update(1_000, [flow({ idleMs: 1_000, starts: 0 })], controller.target, 1_000)).toBe(10);
  });

  it('a starved provider while the daemon itself is saturated (event loop busy) does not grow the target', () => {
    const controller = new ConcurrencyController(20, 0);
    expect(controller.update(1_000, [flow({ idleMs: 300, starts: 7 })], 20, 1_000, true)).toBe(20);
    expect(controller.update(2_000, [flow({ idleMs: 300, starts: 7 })], 20, 1_000, false)).toBe(27);
  });

  it('never grows past the ceiling the caller gives (its caps, what is left of the run)', () => {
    const controller = new ConcurrencyController(20, 0);
    expect(controller.update(1_000, [flow({ idleMs: 500, starts: 5 })], controller.target, 22)).toBe(22);
    expect(controller.update(2_000, [flow({ idleMs: 500, starts: 5 })], controller.target, 22)).toBe(22);
  });

  it('a few milliseconds of idle (timer noise) change nothing', () => {
    const controller = new ConcurrencyController(20, 0);
    expect(controller.update(1_000, [flow({ idleMs: 5, starts: 10 })], controller.target, 1_000)).toBe(20);
  });

  it('shrinks only after three readings in a row with requests queued beyond half a second of the rate', () => {
    const controller = new ConcurrencyController(40, 0);
    // 10 req/s allows 5 waiting; 15 waited on average: 10 too many.
    const overFed = [flow({ waitingMs: 15_000, starts: 10 })];
    expect(controller.update(1_000, overFed, controller.target, 1_000)).toBe(40);
    expect(controller.update(2_000, overFed, controller.target, 1_000)).toBe(40);
    // Half the excess at a time, counted from the conversations really in flight.
    expect(controller.update(3_000, overFed, controller.target, 1_000)).toBe(40 - 5);
    expect(controller.update(4_000, overFed, controller.target, 1_000)).toBe(40 - 10);
  });

  it('while the conversations already in flight drain, the target does not keep shrinking past what they show', () => {
    const controller = new ConcurrencyController(64, 0);
    const overFed = [flow({ waitingMs: 15_000, starts: 10 })];
    controller.update(1_000, overFed, 64, 1_000);
    controller.update(2_000, overFed, 64, 1_000);
    expect(controller.update(3_000, overFed, 64, 1_000)).toBe(59);
    // The queue is still 15 deep because the 64 have not finished yet: no further cut.
    expect(controller.update(4_000, overFed, 64, 1_000)).toBe(59);
    expect(controller.update(5_000, overFed, 60, 1_000)).toBe(55);
  });

  it('a starved reading resets the count of over-fed ones', () => {
    const controller = new ConcurrencyController(40, 0);
    const overFed = [flow({ waitingMs: 15_000, starts: 10 })];
    controller.update(1_000, overFed, controller.target, 1_000);
    controller.update(2_000, overFed, controller.target, 1_000);
    const grown = controller.update(3_000, [flow({ idleMs: 200, starts: 8 })], controller.target, 1_000);
    expect(grown).toBeGreaterThan(40);
    expect(controller.update(4_000, overFed, controller.target, 1_000)).toBe(grown);
  });

  it('a provider queueing far beyond its allowance is cut back even while another one starves a little', () => {
    // Conversations stay on their provider: mistral holds 30 more than it can serve while together,
    // its rate just corrected up, misses one start in ten. Feed together, but let mistral's excess go.
    const controller = new ConcurrencyController(80, 0);
    const mixed = [flow({ waitingMs: 32_000, starts: 1 }, 1), flow({ idleMs: 100, starts: 9 }, 10)];
    // One missed start in ten made, by the 80 − 32 = 48 conversations not waiting in a queue: 4 more.
    expect(controller.update(1_000, mixed, 80, 1_000)).toBe(84);
    expect(controller.update(2_000, mixed, 84, 1_000)).toBe(88);
    // Third reading in a row with a queue: 88 + 4 growth − (half of the 30 excess − the 4) = 81.
    expect(controller.update(3_000, mixed, 88, 1_000)).toBe(81);
    // Counted from the conversations really in flight: 80 + 4 − (15 − 4) = 73.
    expect(controller.update(4_000, mixed, 80, 1_000)).toBe(73);
  });

  it('a queue within the allowance, with no start missed, holds the target', () => {
    const controller = new ConcurrencyController(12, 0);
    for (let second = 1; second <= 10; second++) {
      expect(controller.update(second * 1_000, [flow({ waitingMs: 4_000, starts: 10 })], controller.target, 1_000)).toBe(12);
    }
  });

  it('a disabled provider neither starves nor queues', () => {
    const controller = new ConcurrencyController(12, 0);
    expect(controller.update(1_000, [flow({ idleMs: 1_000 }, 10, false)], controller.target, 1_000)).toBe(12);
  });
});
