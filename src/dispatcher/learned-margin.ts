/** How a provider's learned margin grows and shrinks. */
export interface MarginPolicy {
  /** Widening of the one-second window per 429 that says the request rate was exceeded, in ms. @default 4 */
  readonly marginStepMs: number;
  /**
   * Narrowing per request started, in ms. With the step it sets the share of requests a strict
   * limiter still refuses once the margin has settled: step ÷ decay = one refusal per 400
   * requests (0.25 %) with the defaults. @default 0.01
   */
  readonly marginDecayMs: number;
  /** Widest margin, in ms; a rate set much too high is for AIMD and the headers to correct. @default 250 */
  readonly marginMaximumMs: number;
}

export const DEFAULT_MARGIN_POLICY: MarginPolicy = Object.freeze({
  marginStepMs: 4,
  marginDecayMs: 0.01,
  marginMaximumMs: 250,
});

/**
 * The extra time a provider's one-second window is stretched by, learned from 429s that say the
 * request rate was exceeded. Arrival times at the server jitter by a few ms (and by tens when
 * either machine is loaded: a request delayed on its way makes the one sent a window later arrive
 * less than a window after it), so starts spaced exactly at the rate put `rate + 1` arrivals in
 * some second of a strict sliding window; the margin buys that jitter back.
 *
 * It grows by a step on each such 429 and shrinks by a sliver on every request started, so it
 * settles where refusals are as rare as step ÷ decay says: the jitter of the day, whatever it is,
 * without a manual `pacing_margin_ms`. A server whose real limit is a little below the configured
 * rate keeps refusing until the margin covers the difference, so the pace converges to that limit
 * too (a step per refusal: tens of seconds for a rate 10 % too high). A step that doubled while
 * refusals come window after window would converge on that faster, but would overshoot while the
 * first jitter of a run is learned (refusals then come just as thick), and the overshoot would
 * take minutes to decay: the headers and AIMD are the tools for a rate set well off.
 */
export class LearnedMargin {
  private value = 0;

  constructor(private readonly policy: MarginPolicy) {}

  get marginMs(): number {
    return this.value;
  }

  /** One 429 said the request rate was exceeded; returns whether the margin was zero until now. */
  widen(): boolean {
    const wasZero = this.value === 0;
    this.value = Math.min(this.policy.marginMaximumMs, this.value + this.policy.marginStepMs);
    return wasZero && this.value > 0;
  }

  /** A request started: a little evidence that the margin may be too wide. */
  onStart(): void {
    if (this.value > 0) this.value = Math.max(0, this.value - this.policy.marginDecayMs);
  }
}
