import type { ProviderError } from '../core/errors.js';
import type { ProviderState } from '../core/types.js';
import { describeRefusals } from './refusal-reason.js';

/** When a provider is taken out of rotation and how long it stays out. */
export interface HealthPolicy {
  /**
   * Consecutive failures (5xx, timeouts, network, malformed, 429 without Retry-After) that start a
   * cooldown. A 429 answering a request sent before the last cut of the rate does not count: the
   * old pace caused it. @default 3
   */
  readonly failureThreshold: number;
  /**
   * Requests refused in a row with a non-retryable error (400, 404, 422...), with no success in
   * between, that disable the provider: a retired or misspelt model name or a wrong base URL
   * refuses every request, and since a refusal comes back fast the provider would otherwise draw
   * most new conversations only to discard them. @default 5
   */
  readonly refusalThreshold: number;
  /** Length of the first cooldown, in ms; it doubles each time a probe fails. @default 5_000 */
  readonly cooldownBaseMs: number;
  /** Longest cooldown, in ms. @default 300_000 */
  readonly cooldownCapMs: number;
  /**
   * A Retry-After longer than this cools the provider down for that long instead of pausing it,
   * so its conversations fail over rather than wait (a daily quota spent, say). @default 30_000
   */
  readonly pauseLimitMs: number;
  /**
   * A 429 without Retry-After halves the provider's rate; it then climbs back linearly, by the whole
   * configured rate per this many ms, so it is back in full at most this long after the last 429. @default 60_000
   */
  readonly rateRecoveryMs: number;
  /** The lowest fraction of its configured rate that 429s can cut a provider to; 1 turns the cuts off. @default 0.0625 */
  readonly minimumRateFraction: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = Object.freeze({
  failureThreshold: 3,
  refusalThreshold: 5,
  cooldownBaseMs: 5_000,
  cooldownCapMs: 300_000,
  pauseLimitMs: 30_000,
  rateRecoveryMs: 60_000,
  minimumRateFraction: 1 / 16,
});

/**
 * `half_open`: the cooldown is over and the next request is the probe; `probing`: it is in flight.
 * Both are reported as `cooling_down` because the provider is not yet trusted with more work.
 */
export type HealthPhase = 'active' | 'cooling' | 'half_open' | 'probing' | 'disabled';

export interface HealthChange {
  readonly previous: HealthPhase;
  readonly phase: HealthPhase;
  readonly state: ProviderState;
}

const ACTIVE: ProviderState = Object.freeze({ status: 'active' });

/** A circuit breaker for one provider: closed (active), open (cooling), half-open (one probe). */
export class ProviderHealth {
  private phaseValue: HealthPhase = 'active';
  private stateValue: ProviderState = ACTIVE;
  private consecutiveFailures = 0;
  /** Non-retryable refusals since the last success, in any phase. */
  private consecutiveRefusals = 0;
  /** Cooldowns in a row without a successful probe in between; sets the next cooldown's length. */
  private cooldownStreak = 0;
  private untilMs = 0;
  private reason = '';

  constructor(
    private readonly policy: HealthPolicy,
    private readonly now: () => number,
    private readonly onChange: (change: HealthChange) => void,
  ) {}

  get phase(): HealthPhase {
    return this.phaseValue;
  }

  get state(): ProviderState {
    return this.stateValue;
  }

  get cooldownUntil(): number {
    return this.untilMs;
  }

  recordSuccess(probe: boolean): void {
    this.consecutiveFailures = 0;
    this.consecutiveRefusals = 0;
    if (probe && this.phaseValue === 'probing') this.recover();
  }

  /** Updates the breaker after a failed attempt; failures of requests started before a cooldown do not extend it. */
  recordFailure(error: ProviderError, probe: boolean): void {
    if (this.phaseValue === 'disabled') return;
    if (error.kind === 'auth') {
      this.disable(`authentication failed (${error.status ?? 'no status'})`);
      return;
    }
    const probing = probe && this.phaseValue === 'probing';
    // Only a refusal the server itself answered counts (an HTTP status); an unrecognised client-side
    // error also lands in bad_request and says nothing about the provider.
    if (error.kind === 'bad_request' && error.status !== undefined) {
      this.consecutiveRefusals += 1;
      if (this.consecutiveRefusals >= this.policy.refusalThreshold) {
        this.disable(describeRefusals(this.consecutiveRefusals, error));
        return;
      }
    }
    if (error.kind === 'bad_request' || error.kind === 'aborted') {
      // One refusal may be this request's fault, not the provider's: let another request probe it.
      if (probing) this.transition('half_open');
      return;
    }
    if (error.kind === 'rate_limit' && error.retryAfterMs !== undefined) {
      // The server answered and told us when to come back: alive, just busy.
      if (probing) this.recover();
      return;
    }
    if (probing) {
      this.startCooldown(`probe failed: ${describeFailure(error)}`);
      return;
    }
    if (this.phaseValue !== 'active') return;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.policy.failureThreshold) {
      this.startCooldown(`${this.consecutiveFailures} consecutive failures, last: ${describeFailure(error)}`);
    }
  }

  /** Takes the provider out until `until` without growing the cooldown streak (a long Retry-After). */
  coolUntil(until: number, reason: string): void {
    if (this.phaseValue === 'disabled') return;
    if (this.phaseValue === 'cooling' && this.untilMs >= until) return;
    this.untilMs = until;
    this.reason = reason;
    this.consecutiveFailures = 0;
    this.transition('cooling');
  }

  /** Moves a finished cooldown to half-open; returns whether it did. */
  endCooldownIfDue(): boolean {
    if (this.phaseValue !== 'cooling' || this.now() < this.untilMs) return false;
    this.transition('half_open');
    return true;
  }

  beginProbe(): void {
    if (this.phaseValue === 'half_open') this.transition('probing');
  }

  disable(reason: string): void {
    if (this.phaseValue === 'disabled') return;
    this.reason = reason;
    this.transition('disabled');
  }

  /** Why the provider cannot take work now, for switch records and logs. */
  describe(): string {
    switch (this.phaseValue) {
      case 'active':
        return 'active';
      case 'cooling':
        return `cooling down until ${new Date(this.untilMs).toISOString()}: ${this.reason}`;
      case 'half_open':
      case 'probing':
        return `probing after cooldown: ${this.reason}`;
      case 'disabled':
        return `disabled: ${this.reason}`;
    }
  }

  private startCooldown(reason: string): void {
    const duration = Math.min(
      this.policy.cooldownCapMs,
      this.policy.cooldownBaseMs * 2 ** this.cooldownStreak,
    );
    this.cooldownStreak += 1;
    this.consecutiveFailures = 0;
    this.untilMs = this.now() + duration;
    this.reason = reason;
    this.transition('cooling');
  }

  private recover(): void {
    this.cooldownStreak = 0;
    this.consecutiveFailures = 0;
    this.transition('active');
  }

  private transition(phase: HealthPhase): void {
    const previous = this.phaseValue;
    this.phaseValue = phase;
    this.stateValue = this.publicState();
    this.onChange({ previous, phase, state: this.stateValue });
  }

  private publicState(): ProviderState {
    const until = new Date(this.untilMs).toISOString();
    switch (this.phaseValue) {
      case 'active':
        return ACTIVE;
      case 'cooling':
        return { status: 'cooling_down', until, reason: this.reason };
      case 'half_open':
      case 'probing':
        return { status: 'cooling_down', until, reason: `${this.reason}; waiting for a probe request to succeed` };
      case 'disabled':
        return { status: 'disabled', reason: this.reason };
    }
  }
}

function describeFailure(error: ProviderError): string {
  // An unreachable provider says why: the adapters' "<provider>: network error: <code, host, URL>".
  // Other failures are told by kind and status.
  const prefix = `${error.provider}: `;
  if (error.kind === 'network' && error.status === undefined && error.message.startsWith(prefix)) return error.message.slice(prefix.length);
  return error.status === undefined ? error.kind : `${error.kind} ${error.status}`;
}
