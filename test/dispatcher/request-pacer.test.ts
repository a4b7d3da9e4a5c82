import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestPacer } from '../../src/dispatcher/request-pacer.js';
import { maxStartsInWindow } from './fake-provider.js';

/** One request: when it joins the queue after the previous one's start, and how late its timer fires. */
interface Arrival {
  readonly gapMs: number;
  readonly latenessMs: number;
}

/**
 * Drives a pacer the way ProviderSlot does, on a millisecond clock: each request waits until
 * `dueAt()`, its timer fires up to `latenessMs` after that, and the start is recorded.
 */
function schedule(intervalMs: number, arrivals: readonly Arrival[]): number[] {
  const pacer = new RequestPacer(intervalMs);
  const starts: number[] = [];
  let clock = 0;
  for (const arrival of arrivals) {
    const enqueuedAt = clock + arrival.gapMs;
    const start = Math.ceil(Math.max(enqueuedAt, pacer.dueAt())) + arrival.latenessMs;
    pacer.recordStart(start, enqueuedAt);
    starts.push(start);
    clock = start;
  }
  return starts;
}

const arrivals = fc.array(
  fc.record({
    // Mostly a queue that never empties (gap 0), sometimes a pause longer than an interval.
    gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_500 })),
    // Timer lateness: mostly within the forgiven 10 ms, sometimes a stalled event loop.
    latenessMs: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 300 })),
  }),
  { minLength: 2, maxLength: 120 },
);

describe('request pacer', () => {
  it('no one-second window holds more starts than the rate rounded up, whatever the timer lateness', () => {
    fc.assert(
      fc.property(
        // Whole rates (the common case) and tenths of one, e.g. 2.9 requests/s.
        fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 200 }).map((tenths) => tenths / 10)),
        arrivals,
        (rate, requests) => {
          const starts = schedule(1000 / rate, requests);
          expect(maxStartsInWindow(starts, 1_000)).toBeLessThanOrEqual(Math.ceil(rate));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a start that timer rounding made 1 ms late does not let the next second hold one start too many', () => {
    // fast-check seed 1907034089 in pacing.test.ts at 3 requests/s: due at 4000.0000000000005 (float
    // sum of 1000 / 3), the timer fired at 4001 and the interval counted from the due time let
    // 4001, 4334, 4667 and 5000 into one second. The last second's starts, kept as they
    // happened, must push the fourth start to 5001.
    const starts = schedule(1000 / 3, Array.from({ length: 20 }, () => ({ gapMs: 0, latenessMs: 0 })));
    expect(maxStartsInWindow(starts, 1_000)).toBeLessThanOrEqual(3);
    for (let index = 3; index < starts.length; index++) {
      expect((starts[index] as number) - (starts[index - 3] as number)).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('timer lateness within half an interval (at most 10 ms) is not added to every interval', () => {
    // 8 requests/s, every timer 3 ms late. Counting each interval from the actual start would take
    // 99 × 128 ms (2.4 % slow); only the one-second window, which counts from actual starts, still
    // adds the lateness once per 8 starts (0.3 %).
    const starts = schedule(125, Array.from({ length: 100 }, () => ({ gapMs: 0, latenessMs: 3 })));
    const span = (starts.at(-1) as number) - (starts[0] as number);
    expect(span).toBeLessThanOrEqual(99 * 125 * 1.005);
    expect(span).toBeGreaterThanOrEqual(99 * 125);
  });

  it('at 60 requests/s, timers 5 ms late (a busy event loop) still start at the rate', () => {
    // A tenth of the 16.7 ms interval (1.7 ms) was all that was forgiven: every start then counted
    // from its late actual start, 21.7 ms apart, 23 % under the rate.
    const starts = schedule(1000 / 60, Array.from({ length: 100 }, () => ({ gapMs: 0, latenessMs: 5 })));
    const span = (starts.at(-1) as number) - (starts[0] as number);
    expect(span).toBeLessThanOrEqual((99 * 1000 * 1.005) / 60);
    expect(maxStartsInWindow(starts, 1_000)).toBeLessThanOrEqual(60);
  });

  it('a request that arrives after its start was due counts the next interval from its own start', () => {
    const pacer = new RequestPacer(500);
    pacer.recordStart(0, 0);
    // Idle until 2 s: no backlog is caught up, the next start is a full interval after this one.
    pacer.recordStart(2_000, 2_000);
    expect(pacer.dueAt()).toBe(2_500);
  });

  it('a pause holds the next start until it ends', () => {
    const pacer = new RequestPacer(100);
    pacer.recordStart(0, 0);
    pacer.pauseUntil(3_000);
    pacer.pauseUntil(1_000);
    expect(pacer.dueAt()).toBe(3_000);
  });
});

describe('request pacer margin and rate changes', () => {
  it('a margin stretches every one-second window by that many ms, and each interval by its share', () => {
    // 4 requests/s, 40 ms margin: four starts per 1040 ms, 260 ms apart.
    const pacer = new RequestPacer(250);
    pacer.setMargin(40);
    const starts: number[] = [];
    for (let index = 0; index < 12; index++) {
      const start = Math.max(0, pacer.dueAt());
      pacer.recordStart(start, start);
      starts.push(start);
    }
    expect(starts.slice(0, 5)).toEqual([0, 260, 520, 780, 1040]);
    for (let index = 4; index < starts.length; index++) {
      expect((starts[index] as number) - (starts[index - 4] as number)).toBeGreaterThanOrEqual(1040);
    }
  });

  it('a new rate keeps the starts already made: going up does not burst, going down holds the next start back', () => {
    const pacer = new RequestPacer(500);
    pacer.recordStart(0, 0);
    pacer.recordStart(500, 0);
    // Now 4 requests/s: the window holds four starts, two of them already made.
    pacer.setInterval(250);
    expect(pacer.windowStarts).toBe(4);
    expect(pacer.dueAt()).toBe(750);
    pacer.recordStart(750, 0);
    pacer.recordStart(1000, 0);
    // Down to 1 request/s: the last start counts, the next is a whole second after it.
    pacer.setInterval(1000);
    expect(pacer.windowStarts).toBe(1);
    expect(pacer.dueAt()).toBe(2000);
  });
});
