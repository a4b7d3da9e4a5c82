import { setMaxListeners } from 'node:events';
import { ProviderError } from '../core/errors.js';
import type { DispatchEvent, ModelRequester, ProviderName, ProviderPace, ProviderState } from '../core/types.js';
import { realNow, realSleep } from './default-world.js';
import {
  DEFAULT_CONCURRENCY_HEADROOM,
  DEFAULT_EXPECTED_LATENCY_MS,
  validateDispatcherOptions,
  type DispatcherOptions,
  type DispatchLog,
} from './dispatcher-options.js';
import { DispatcherSession, type SessionContext } from './dispatcher-session.js';
import { DEFAULT_MARGIN_POLICY } from './learned-margin.js';
import { DEFAULT_HEALTH_POLICY, type HealthChange, type HealthPolicy } from './provider-health.js';
import { ConcurrencyController, SATURATED_UTILIZATION } from './concurrency-controller.js';
import { ProviderRouter } from './provider-router.js';
import { ProviderSlot } from './provider-slot.js';
import { describeRateChange } from './rate-change-message.js';
import type { RateChange, ServiceOrder } from './slot-contract.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { DEFAULT_SILENCE_POLICY } from './silence-limits.js';

/** A requester for one conversation, plus the provider currently serving it. */
export type DispatchSession = ModelRequester & { readonly provider: ProviderName | undefined };

/** Conversations added on top of the first guess, so a small setup still overlaps its requests. */
const CONCURRENCY_SLACK = 2;
/**
 * The controller's ceiling, per request a provider may have running: conversations spend time
 * between requests, so more of them than running requests are needed, but never without bound.
 */
const CONVERSATIONS_PER_RUNNING_REQUEST = 4;

/**
 * Spreads model requests over rate-limited providers: paces each to its rate, routes new
 * conversations to whoever serves soonest, retries with full-jitter backoff, honours
 * Retry-After per provider, cools broken providers down and fails their conversations over.
 */
export class Dispatcher {
  private readonly slots: readonly ProviderSlot[];
  private readonly router: ProviderRouter;
  private readonly context: SessionContext;
  private readonly closeController = new AbortController();
  private readonly headroom: number;
  private readonly log: DispatchLog;
  private readonly onEvent: ((event: DispatchEvent) => void) | undefined;
  private readonly reported = new Map<ProviderName, ProviderState>();
  private readonly now: () => number;
  private readonly busyShare: (() => number) | undefined;
  private concurrency: ConcurrencyController | undefined;
  private serviceOrder: ServiceOrder = 'oldest-when-over-fed';

  constructor(options: DispatcherOptions) {
    validateDispatcherOptions(options);
    // Every request in flight listens for close(): hundreds at once are expected, not a leak.
    setMaxListeners(0, this.closeController.signal);
    const now = options.now ?? realNow;
    this.now = now;
    this.busyShare = options.busyShare;
    const sleep = options.sleep ?? realSleep;
    this.log = options.log ?? (() => undefined);
    this.onEvent = options.onEvent;
    this.headroom = options.concurrencyHeadroom ?? DEFAULT_CONCURRENCY_HEADROOM;
    const healthPolicy: HealthPolicy = withDefaults(DEFAULT_HEALTH_POLICY, options.health);
    const world = {
      now,
      sleep,
      healthPolicy,
      silencePolicy: withDefaults(DEFAULT_SILENCE_POLICY, options.silence),
      marginPolicy: withDefaults(DEFAULT_MARGIN_POLICY, options.margin),
      expectedLatencyMs: options.expectedLatencyMs ?? DEFAULT_EXPECTED_LATENCY_MS,
      onHealthChange: (slot: ProviderSlot, change: HealthChange) => this.onHealthChange(slot, change),
      onProbeFreed: () => this.router.notifyChange(),
      onRateChange: (slot: ProviderSlot, change: RateChange) => this.logRateChange(slot, change, healthPolicy.rateRecoveryMs),
      serviceOrder: () => this.serviceOrder,
    };
    this.slots = options.providers.map((slotOptions) => new ProviderSlot(slotOptions, world));
    for (const slot of this.slots) this.reported.set(slot.name, slot.health.state);
    this.router = new ProviderRouter(this.slots, now, this.log);
    let sessionsOpened = 0;
    this.context = {
      router: this.router,
      retry: withDefaults(DEFAULT_RETRY_POLICY, options.retry),
      now,
      sleep,
      random: options.random ?? Math.random,
      closed: this.closeController.signal,
      emit: (event) => this.emit(event),
      budget: options.budget,
      nextSeniority: () => sessionsOpened++,
    };
  }

  /** A requester for one conversation: sticks to one provider, fails over when it is down, records switches. */
  session(options?: { readonly preferred?: ProviderName }): DispatchSession {
    return new DispatcherSession(this.context, options?.preferred);
  }

  /**
   * The order in which every provider serves its queued requests from now on. In arrival order,
   * conversations sharing a queue all advance a step at a time and finish together at the end of
   * their lifetime: while more are in flight than the providers need, none finishes for minutes,
   * and a Ctrl+C whose grace period ends before then saves almost none of them (2 of 82 against a
   * strict 6 requests/s emulator with a 60 s grace). Oldest first, they finish one after another.
   * - `oldest-when-over-fed` (from the start): oldest first while a queue is longer than the
   *   concurrency controller allows, so a start that opened more conversations than needed
   *   finishes them one after another; arrival order otherwise.
   * - `oldest` (a drain): whatever the queue, so the grace period saves what it can.
   * - `arrival` (the end of a run, all that is left in flight): oldest first would leave the
   *   newest conversations all of their requests to run one after another alone while the
   *   providers idle; in step they all finish together.
   */
  serveInOrder(order: ServiceOrder): void {
    this.serviceOrder = order;
  }

  /**
   * Conversations to keep in flight so every provider stays saturated. It starts from a guess,
   * Σ (min(rate × expected latency, concurrency cap) + 1) × headroom + 2, and then follows what
   * the providers experience (ConcurrencyController): it grows while a provider has a free start and no request waiting,
   * and shrinks while requests queue. `inFlight` is how many conversations the caller keeps in
   * flight now; `ceiling` the most it will keep (its own caps, what is left of the run). The
   * suggestion never passes the ceiling, nor 4 conversations per request the providers may run.
   */
  suggestedConcurrency(usage: { readonly inFlight: number; readonly ceiling?: number }): number {
    const ceiling = usage.ceiling ?? Number.POSITIVE_INFINITY;
    const now = this.now();
    if (this.concurrency === undefined) {
      this.concurrency = new ConcurrencyController(this.initialConcurrency(), now);
      for (const slot of this.slots) slot.readFlow(now);
    } else if (this.concurrency.due(now)) {
      const flows = this.slots.map((slot) => ({
        sample: slot.readFlow(now),
        rate: slot.effectiveRate(),
        usable: slot.health.phase !== 'disabled',
      }));
      const saturated = (this.busyShare?.() ?? 0) > SATURATED_UTILIZATION;
      this.concurrency.update(now, flows, usage.inFlight, Math.min(ceiling, this.concurrencyCap()), saturated);
    }
    return Math.min(ceiling, this.concurrency.target);
  }

  /** The first guess, from rates and the latency observed so far (or expected). */
  private initialConcurrency(): number {
    let needed = 0;
    let running = 0;
    for (const slot of this.slots) {
      if (slot.health.phase === 'disabled') continue;
      needed += slot.capacity();
      running += slot.maxConcurrency;
    }
    return Math.max(1, Math.min(running, Math.ceil(needed * this.headroom) + CONCURRENCY_SLACK));
  }

  private concurrencyCap(): number {
    let cap = 0;
    for (const slot of this.slots) {
      if (slot.health.phase !== 'disabled') cap += slot.maxConcurrency * CONVERSATIONS_PER_RUNNING_REQUEST;
    }
    return Math.max(1, cap);
  }

  /** The rate each provider is paced at now and where it comes from, for the progress record. */
  providerPaces(): Partial<Record<ProviderName, ProviderPace>> {
    return Object.fromEntries(this.slots.map((slot) => [slot.name, slot.pace()]));
  }

  providerStates(): Partial<Record<ProviderName, ProviderState>> {
    return Object.fromEntries(this.slots.map((slot) => [slot.name, slot.health.state]));
  }

  /** True if at least one provider is not disabled (cooling down counts as alive). */
  hasUsableProvider(): boolean {
    return this.router.hasUsableProvider();
  }

  /** Rejects waiting and running requests with an `aborted` ProviderError and stops every timer. */
  close(): void {
    if (this.closeController.signal.aborted) return;
    this.closeController.abort(new Error('dispatcher closed'));
    for (const slot of this.slots) {
      slot.close(new ProviderError('dispatcher closed', { provider: slot.name, kind: 'aborted' }));
    }
  }

  private onHealthChange(slot: ProviderSlot, change: HealthChange): void {
    // Taking the probe is internal: the provider is still not trusted with more work.
    if (change.phase === 'probing') return;
    const state = change.state;
    if (!sameState(this.reported.get(slot.name), state)) {
      this.reported.set(slot.name, state);
      this.emit({ type: 'provider-state', provider: slot.name, state });
    }
    this.logChange(slot.name, change);
    this.router.notifyChange();
  }

  private logChange(provider: ProviderName, change: HealthChange): void {
    const state = change.state;
    if (state.status === 'disabled') {
      const next = this.router.hasUsableProvider() ? 'the run continues on the others' : 'no provider is left';
      this.log('error', `provider ${provider} disabled: ${state.reason}; ${next}`, { provider });
    } else if (state.status === 'cooling_down' && change.phase === 'cooling') {
      this.log('warn', `provider ${provider} cooling down until ${state.until}: ${state.reason}`, { provider, until: state.until, reason: state.reason });
    } else if (change.phase === 'half_open') {
      this.log('info', `provider ${provider} cooldown over; sending one probe request`, { provider });
    } else if (change.phase === 'active') {
      this.log('info', `provider ${provider} recovered`, { provider });
    }
  }

  private logRateChange(slot: ProviderSlot, change: RateChange, rateRecoveryMs: number): void {
    const [level, message, fields] = describeRateChange(slot.name, change, {
      requestsPerSecond: slot.requestsPerSecond,
      fromHeaders: slot.pace().source === 'headers',
      rateRecoveryMs,
    });
    this.log(level, message, fields);
  }

  private emit(event: DispatchEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch (error) {
      this.log('error', 'dispatch event listener threw; event dropped', { event: event.type, error: String(error) });
    }
  }
}

function sameState(a: ProviderState | undefined, b: ProviderState): boolean {
  if (a === undefined || a.status !== b.status) return false;
  if (a.status === 'cooling_down' && b.status === 'cooling_down') return a.until === b.until && a.reason === b.reason;
  if (a.status === 'disabled' && b.status === 'disabled') return a.reason === b.reason;
  return true;
}

/** Defaults overridden only by the values actually given (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const merged = { ...defaults };
  if (given === undefined) return Object.freeze(merged);
  for (const key of Object.keys(given) as Array<keyof T>) {
    const value = given[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return Object.freeze(merged);
}
