import { describe, expect, it } from 'vitest';
import { FlowMeter } from '../../src/dispatcher/flow-meter.js';

describe('the flow meter', () => {
  it('counts the time a start was due with nobody waiting, from when it was due', () => {
    const meter = new FlowMeter(0);
    // Next start due at 200; the first request arrives at 500: 300 ms of a free start lost.
    meter.queueChanged(500, 1, 200, true);
    meter.started();
    meter.queueChanged(500, 0, 1_000, true);
    expect(meter.read(1_000, 1_000, true)).toEqual({ idleMs: 300, waitingMs: 0, starts: 1, elapsedMs: 1_000 });
  });

  it('an empty queue while the pacer holds the next start back loses nothing', () => {
    const meter = new FlowMeter(0);
    meter.queueChanged(400, 1, 600, true);
    expect(meter.read(1_000, 600, true).idleMs).toBe(0);
  });

  it('idle time is not counted while the provider could not start anyway (cooling down, at its cap)', () => {
    const meter = new FlowMeter(0);
    meter.queueChanged(800, 1, 0, false);
    expect(meter.read(1_000, 0, false).idleMs).toBe(0);
  });

  it('a reading with the queue empty counts idle up to now, and the next reading starts from there', () => {
    const meter = new FlowMeter(0);
    expect(meter.read(1_000, 250, true).idleMs).toBe(750);
    expect(meter.read(2_000, 250, true)).toEqual({ idleMs: 1_000, waitingMs: 0, starts: 0, elapsedMs: 1_000 });
  });

  it('integrates the number of waiting requests over time', () => {
    const meter = new FlowMeter(0);
    meter.queueChanged(0, 2, 0, true);
    meter.queueChanged(500, 3, 0, true);
    // 2 for 500 ms, then 3 for 500 ms.
    expect(meter.read(1_000, 0, true).waitingMs).toBe(2_500);
  });
});
