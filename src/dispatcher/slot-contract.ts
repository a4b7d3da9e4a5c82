import type { ProviderError } from '../core/errors.js';
import type { ProviderName, Usage } from '../core/types.js';
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
  | { readonly ok: true; readonly latencyMs: number; readonly usage: Usage }
  | { readonly ok: false; readonly error: ProviderError };

/** A provider's pace left its configured rate (the first cut by a 429 without Retry-After) or came back to it. */
export interface RateChange {
  readonly kind: 'slowed' | 'restored';
  readonly requestsPerSecond: number;
}

export interface SlotWorld {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly healthPolicy: HealthPolicy;
  readonly silencePolicy: SilencePolicy;
  readonly expectedLatencyMs: number;
  readonly onHealthChange: (slot: ProviderSlot, change: HealthChange) => void;
  /** A half-open provider's probe was given up before it started: someone else may take it. */
  readonly onProbeFreed: (slot: ProviderSlot) => void;
  readonly onRateChange: (slot: ProviderSlot, change: RateChange) => void;
}
