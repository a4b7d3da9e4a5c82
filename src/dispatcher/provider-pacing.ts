import type { ProviderError } from '../core/errors.js';
import type { ProviderPace, RateLimitSnapshot } from '../core/types.js';
import { limitPerSecond } from '../providers/rate-limit-headers.js';
import { AdaptiveRate } from './adaptive-rate.js';
import { LearnedMargin, type MarginPolicy } from './learned-margin.js';
import { rateLimitCause } from './rate-limit-cause.js';
import { RequestPacer } from './request-pacer.js';
import type { RateChange } from './slot-contract.js';

/** A reported rate within this share of the one in force is the same rate (no re-pacing, no log line). */
const SAME_RATE_TOLERANCE = 0.01;

export interface PacingPolicy extends MarginPolicy {
  readonly rateRecoveryMs: number;
  readonly minimumRateFraction: number;
}

/**
 * One provider's pace: the rate it is paced at and everything that moves it.
 *
 * - The rate is the configured one until the server's rate-limit headers report its limit; from
 *   then on the reported one, up or down (a key with a higher tier than configured, or a lower).
 * - A 429 that says the request rate was exceeded (headers with nothing remaining, or a body that
 *   does not blame a busy server or the tokens) widens the learned margin, with or without
 *   Retry-After: whichever way the server answers, our own starts were too close together for it.
 * - A 429 with Retry-After also pauses the provider for that long (ProviderSlot.pauseFor); one
 *   without halves the rate for a while (AdaptiveRate), because nothing says how far over we are.
 *   The margin then keeps the recovered pace from overshooting again.
 * - 429s for tokens or a busy server move neither the margin nor the rate, beyond those pauses and cuts.
 */
export class ProviderPacing {
  readonly configuredPerSecond: number;
  private basePerSecond: number;
  private fromHeaders = false;
  private readonly pacingMarginMs: number;
  private readonly pacer: RequestPacer;
  private readonly adaptiveRate: AdaptiveRate;
  private readonly margin: LearnedMargin;

  constructor(
    options: { readonly requestsPerSecond: number; readonly pacingMarginMs?: number },
    policy: PacingPolicy,
    private readonly report: (change: RateChange) => void,
  ) {
    this.configuredPerSecond = options.requestsPerSecond;
    this.basePerSecond = options.requestsPerSecond;
    this.pacingMarginMs = options.pacingMarginMs ?? 0;
    this.pacer = new RequestPacer(this.intervalMs());
    this.adaptiveRate = new AdaptiveRate(policy.rateRecoveryMs, policy.minimumRateFraction);
    this.margin = new LearnedMargin(policy);
  }

  /** The rate before 429s slow it: configured, or reported by the server. */
  get requestsPerSecond(): number {
    return this.basePerSecond;
  }

  dueAt(): number {
    return this.pacer.dueAt();
  }

  pauseUntil(until: number): void {
    this.pacer.pauseUntil(until);
  }

  recordStart(now: number, waitingSince: number): void {
    this.margin.onStart();
    this.pacer.setMargin(this.margin.marginMs);
    this.pacer.recordStart(now, waitingSince);
  }

  /** Requests per second starts are spaced for at `now`: the rate, cut by AIMD, stretched by the margin. */
  effectiveRate(now: number): number {
    return (1000 / this.pacer.perStartMs()) * this.adaptiveRate.fraction(now);
  }

  /**
   * Reacts to a 429 that answered a request started at `startedAt`. Returns true when it answered
   * a request sent before the last cut of the rate: the old pace's doing, already answered.
   */
  onRateLimited(error: ProviderError, startedAt: number, now: number): boolean {
    if (rateLimitCause(error) === 'requests') {
      const first = this.margin.widen();
      this.pacer.setMargin(this.margin.marginMs);
      if (first) this.report({ kind: 'margin', marginMs: this.margin.marginMs, requestsPerSecond: this.effectiveRate(now) });
    }
    if (error.retryAfterMs !== undefined) return false;
    const wasSlowed = this.adaptiveRate.slowed;
    if (this.adaptiveRate.onRateLimited(startedAt, now) === 'sent_before_cut') return true;
    const fraction = this.adaptiveRate.fraction(now);
    this.pacer.slowTo(fraction);
    // Once per slowdown: a rate set above the server's limit saws under it all night.
    if (!wasSlowed && this.adaptiveRate.slowed) {
      this.report({ kind: 'slowed', requestsPerSecond: this.basePerSecond * fraction });
    }
    return false;
  }

  /** While AIMD has cut the rate, paces at what it has climbed back to; says so once it is whole again. */
  update(now: number): void {
    if (!this.adaptiveRate.slowed) return;
    const restored = this.adaptiveRate.restoreIfRecovered(now);
    this.pacer.slowTo(this.adaptiveRate.fraction(now));
    if (restored) this.report({ kind: 'restored', requestsPerSecond: this.basePerSecond });
  }

  /** Takes the request limit a reply's headers reported as the rate to pace at. */
  onLimits(snapshot: RateLimitSnapshot): void {
    if (snapshot.requests === undefined) return;
    const reported = limitPerSecond(snapshot.requests);
    if (!Number.isFinite(reported) || reported <= 0) return;
    const previousFromHeaders = this.fromHeaders;
    this.fromHeaders = true;
    if (Math.abs(reported - this.basePerSecond) <= SAME_RATE_TOLERANCE * this.basePerSecond) return;
    const previousPerSecond = this.basePerSecond;
    this.basePerSecond = reported;
    this.pacer.setInterval(this.intervalMs());
    this.report({ kind: 'corrected', requestsPerSecond: reported, previousPerSecond, previousFromHeaders, style: snapshot.style });
  }

  describe(now: number): ProviderPace {
    const learned = this.margin.marginMs > 0 || this.adaptiveRate.fraction(now) < 1;
    return {
      configuredPerSecond: this.configuredPerSecond,
      currentPerSecond: round(this.effectiveRate(now), 3),
      source: this.fromHeaders ? 'headers' : learned ? 'learned' : 'configured',
      marginMs: round(this.margin.marginMs, 1),
    };
  }

  private intervalMs(): number {
    return 1000 / this.basePerSecond + this.pacingMarginMs;
  }
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
