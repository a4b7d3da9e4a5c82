import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { DEFAULT_SILENCE_POLICY, SilenceLimits } from '../../src/dispatcher/silence-limits.js';
import { FakeProvider, ok, slotFor } from './fake-provider.js';

const POLICY = { ...DEFAULT_SILENCE_POLICY, floorMs: 100, capMs: 10_000, coldLimitMs: 20_000, minimumSamples: 8 };

describe('silence limits learned from replies', () => {
  it('before enough replies are seen, both limits are the generous cold limit, never above the request timeout', () => {
    expect(new SilenceLimits(POLICY, 120_000).limits()).toEqual({ firstByteTimeoutMs: 20_000, idleTimeoutMs: 20_000 });
    expect(new SilenceLimits(POLICY, 5_000).limits()).toEqual({ firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 });
    const limits = new SilenceLimits(POLICY, 120_000);
    for (let index = 0; index < 7; index++) limits.observe({ firstByteMs: 50, longestSilenceMs: 10 });
    expect(limits.limits().firstByteTimeoutMs).toBe(20_000);
  });

  it('then each is four times the 95th percentile of what was observed', () => {
    const limits = new SilenceLimits(POLICY, 120_000);
    // First bytes 100..1000 ms: the 95th percentile of 10 values is the 10th, 1000 ms.
    for (let index = 1; index <= 10; index++) limits.observe({ firstByteMs: index * 100, longestSilenceMs: index * 10 });
    expect(limits.limits()).toEqual({ firstByteTimeoutMs: 4_000, idleTimeoutMs: 400 });
  });

  it('past the first replies, the percentile is refreshed every eight replies, not at each', () => {
    const limits = new SilenceLimits(POLICY, 120_000);
    // 100..2400 ms: the 95th percentile of 24 values is the 23rd, 2300 ms (read at the 24th reply).
    for (let index = 1; index <= 24; index++) limits.observe({ firstByteMs: index * 100, longestSilenceMs: index * 10 });
    expect(limits.limits()).toEqual({ firstByteTimeoutMs: 9_200, idleTimeoutMs: 920 });
    for (let index = 0; index < 7; index++) limits.observe({ firstByteMs: 9_000, longestSilenceMs: 900 });
    expect(limits.limits().firstByteTimeoutMs).toBe(9_200);
    limits.observe({ firstByteMs: 9_000, longestSilenceMs: 900 });
    expect(limits.limits().firstByteTimeoutMs).toBe(10_000);
  });

  it('never below the floor nor above the cap or the request timeout', () => {
    const fast = new SilenceLimits(POLICY, 120_000);
    for (let index = 0; index < 16; index++) fast.observe({ firstByteMs: 5, longestSilenceMs: 1 });
    expect(fast.limits()).toEqual({ firstByteTimeoutMs: 100, idleTimeoutMs: 100 });
    const slow = new SilenceLimits(POLICY, 8_000);
    for (let index = 0; index < 16; index++) slow.observe({ firstByteMs: 30_000, longestSilenceMs: 1_500 });
    expect(slow.limits()).toEqual({ firstByteTimeoutMs: 8_000, idleTimeoutMs: 6_000 });
  });

  it('follows a provider that slows down, within a window of recent replies', () => {
    const limits = new SilenceLimits(POLICY, 120_000);
    for (let index = 0; index < 64; index++) limits.observe({ firstByteMs: 200, longestSilenceMs: 20 });
    expect(limits.limits().firstByteTimeoutMs).toBe(800);
    for (let index = 0; index < 64; index++) limits.observe({ firstByteMs: 1_000, longestSilenceMs: 20 });
    expect(limits.limits().firstByteTimeoutMs).toBe(4_000);
  });

  it('a reply without timings teaches nothing; one in a single piece counts as no silence', () => {
    const limits = new SilenceLimits(POLICY, 120_000);
    for (let index = 0; index < 16; index++) limits.observe({});
    expect(limits.limits().firstByteTimeoutMs).toBe(20_000);
    for (let index = 0; index < 16; index++) limits.observe({ firstByteMs: 400 });
    expect(limits.limits()).toEqual({ firstByteTimeoutMs: 1_600, idleTimeoutMs: 100 });
  });

  it('the dispatcher refuses a silence policy out of range with a message that names it', () => {
    const provider = new FakeProvider('mistral', () => ok(10));
    expect(() => new Dispatcher({ providers: [slotFor(provider, 1)], silence: { factor: 0 } })).toThrow(ConfigError);
    expect(() => new Dispatcher({ providers: [slotFor(provider, 1)], silence: { floorMs: -1 } })).toThrow(
      'Expected `silence.floorMs` to be a finite number > 0, got `-1` (number)',
    );
  });
});
