import type { ChatResult } from '../core/types.js';

/**
 * How long a request may stay silent before it counts as hung: a multiple of what the provider has
 * been observed to need, so a hung request costs seconds while a reply that keeps streaming is
 * never cut (only `timeout_ms` bounds the whole request).
 */
export interface SilencePolicy {
  /** The limits are this multiple of the observed 95th percentile. @default 4 */
  readonly factor: number;
  /** Never below this, in ms: a daemon busy for a moment must not take a provider for hung. @default 3_000 */
  readonly floorMs: number;
  /** Never above this, in ms, however slow the provider has been. @default 60_000 */
  readonly capMs: number;
  /**
   * Both limits until `minimumSamples` replies have been observed, in ms: generous, since nothing
   * is known yet, and short-lived, since the first replies come within seconds. @default 30_000
   */
  readonly coldLimitMs: number;
  /** Replies observed before the limits follow them. @default 5 */
  readonly minimumSamples: number;
}

export const DEFAULT_SILENCE_POLICY: SilencePolicy = Object.freeze({
  factor: 4,
  floorMs: 3_000,
  capMs: 60_000,
  coldLimitMs: 30_000,
  minimumSamples: 5,
});

/** The two limits a request runs under, in ms (ChatRequest.firstByteTimeoutMs / idleTimeoutMs). */
export interface SilenceLimitValues {
  readonly firstByteTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/** Recent replies kept per measure; the percentile is read from these. */
const WINDOW = 64;
/** The percentile is recomputed every this many new samples, not per request (after the first few). */
const RECOMPUTE_EVERY = 8;

/**
 * The last WINDOW values of one measure and their 95th percentile: recomputed at every sample while
 * there are few (the first limits must not rest on one reply), then every RECOMPUTE_EVERY samples.
 */
class RecentPercentile {
  private readonly values = new Float64Array(WINDOW);
  private count = 0;
  private sinceRecompute = 0;
  private value: number | undefined;

  get samples(): number {
    return Math.min(this.count, WINDOW);
  }

  record(sample: number): void {
    this.values[this.count % WINDOW] = sample;
    this.count++;
    this.sinceRecompute++;
    if (this.count <= 2 * RECOMPUTE_EVERY || this.sinceRecompute >= RECOMPUTE_EVERY) this.recompute();
  }

  /** The 95th percentile (nearest rank) of the samples kept. */
  p95(): number | undefined {
    return this.value;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const sorted = this.values.slice(0, this.samples).sort();
    this.value = sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)];
  }
}

/**
 * One provider's silence limits, learned from its successful replies: the time to the first byte
 * of the body (queueing and prompt processing), and the longest gap between two pieces of a body
 * (generation pauses). Both stay within the outer `timeoutMs`.
 */
export class SilenceLimits {
  private readonly firstByte = new RecentPercentile();
  private readonly longestSilence = new RecentPercentile();
  private current: SilenceLimitValues;

  constructor(
    private readonly policy: SilencePolicy,
    private readonly timeoutMs: number,
  ) {
    const cold = Math.min(policy.coldLimitMs, timeoutMs);
    this.current = Object.freeze({ firstByteTimeoutMs: cold, idleTimeoutMs: cold });
  }

  /** The limits for the next request. */
  limits(): SilenceLimitValues {
    return this.current;
  }

  /** Learns from one successful reply; a reply without timings (an adapter that cannot see them) teaches nothing. */
  observe(result: Pick<ChatResult, 'firstByteMs' | 'longestSilenceMs'>): void {
    if (result.firstByteMs === undefined) return;
    this.firstByte.record(result.firstByteMs);
    // A reply in one piece had no silence after its first byte.
    this.longestSilence.record(result.longestSilenceMs ?? 0);
    this.current = Object.freeze({
      firstByteTimeoutMs: this.limitFor(this.firstByte),
      idleTimeoutMs: this.limitFor(this.longestSilence),
    });
  }

  private limitFor(measure: RecentPercentile): number {
    const { factor, floorMs, capMs, coldLimitMs, minimumSamples } = this.policy;
    const p95 = measure.p95();
    const limit = measure.samples < minimumSamples || p95 === undefined ? coldLimitMs : clamp(factor * p95, floorMs, capMs);
    return Math.min(Math.ceil(limit), this.timeoutMs);
  }
}

function clamp(value: number, minimum: number, maximum: number): number {
  return Math.min(maximum, Math.max(minimum, value));
}
