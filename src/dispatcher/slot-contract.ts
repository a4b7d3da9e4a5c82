import type { ProviderError } from '../core/errors.js';
import type { ProviderName, RateLimitSnapshot, Usage } from '../core/types.js';
import type { MarginPolicy } from './learned-margin.js';
import type { HealthChange, HealthPolicy } from './provider-health.js';
import type { SilencePolicy } from './silence-limits.js';
import type { ProviderSlot } from './provider-slot.js';

/** The provider stopped taking work (cooldown, disabled, probe taken) while a request waited: route again. */
export class SlotUnavailableError extends Error {
  constructor(readonly provider: ProviderName) {
    super(`provider ${provider} is not taking requests now`);
    this.name = 'SlotUnavailableError';
  }
}

/** Permission to start one request; hand it back with `finish` exactly once. */
export interface Lease {
  readonly probe: boolean;
  readonly startedAt: number;
  readonly tokens: number;
}

export type LeaseOutcome =
  | { readonly ok: true; readonly latencyMs: number; readonly usage: Usage; readonly rateLimit?: RateLimitSnapshot }
  | { readonly ok: false; readonly error: ProviderError };

/**
 * A provider's pace moved: `slowed` by the first cut of a 429 without Retry-After and `restored`
 * once back; `margin` the first time 429s widened its spacing; `corrected` when the server's
 * headers reported another rate; `tokens` when they reported another tokens-per-minute limit.
 */
export type RateChange =
  | { readonly kind: 'slowed' | 'restored'; readonly requestsPerSecond: number }
  | { readonly kind: 'margin'; readonly marginMs: number; readonly requestsPerSecond: number }
  | {
      readonly kind: 'corrected';
      readonly requestsPerSecond: number;
      readonly previousPerSecond: number;
      /** Whether the rate it replaces was reported too (a dynamic limit moving) rather than configured. */
      readonly previousFromHeaders: boolean;
      readonly style: RateLimitSnapshot['style'];
    }
  | {
      readonly kind: 'tokens';
      readonly tokensPerMinute: number;
      readonly previousPerMinute: number | undefined;
      readonly style: RateLimitSnapshot['style'];
    }
  | {
      /** The tokens-per-minute budget, not the request rate, sets the pace: `requestsPerSecond` is what it allows. */
      readonly kind: 'tokens-bind';
      readonly requestsPerSecond: number;
      readonly tokensPerMinute: number;
      readonly tokensPerRequest: number;
      /** Whether the budget is the one the server's headers reported rather than the configured one. */
      readonly fromHeaders: boolean;
    };

export interface SlotWorld {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly healthPolicy: HealthPolicy;
  readonly silencePolicy: SilencePolicy;
  readonly marginPolicy: MarginPolicy;
  readonly expectedLatencyMs: number;
  readonly onHealthChange: (slot: ProviderSlot, change: HealthChange) => void;
  /** A half-open provider's probe was given up before it started: someone else may take it. */
  readonly onProbeFreed: (slot: ProviderSlot) => void;
  readonly onRateChange: (slot: ProviderSlot, change: RateChange) => void;
  /** In which order queued requests are served (see Dispatcher.serveInOrder). */
  readonly serviceOrder: () => ServiceOrder;
}

/**
 * The order in which a provider serves its queued requests (see Dispatcher.serveInOrder):
 * - `oldest-when-over-fed`: the oldest conversation's first while the queue is longer than the
 *   controller allows (more conversations in flight than the provider needs), else arrival order;
 * - `oldest`: the oldest conversation's first, always (a drain);
 * - `arrival`: arrival order, always (the end of a run, nothing more to open).
 */
export type ServiceOrder = 'oldest-when-over-fed' | 'oldest' | 'arrival';
