import type { ProviderError } from '../core/errors.js';
import type { ChatProvider, ProviderName, ProviderPace, RateLimitSnapshot, RoleModels } from '../core/types.js';
import { limitPerMinute } from '../providers/rate-limit-headers.js';
import type { ProviderSlotOptions } from './dispatcher-options.js';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './dispatcher-options.js';
import { overFedQueueLength } from './concurrency-controller.js';
import { FlowMeter, type FlowSample } from './flow-meter.js';
import { ProviderHealth, type HealthChange } from './provider-health.js';
import { ProviderPacing } from './provider-pacing.js';
import { SilenceLimits } from './silence-limits.js';
import { SlotUnavailableError, type Lease, type LeaseOutcome, type SlotWorld } from './slot-contract.js';
import { TokenBucket } from './token-bucket.js';

interface Waiter {
  readonly tokens: number;
  /** The conversation's place in the order they opened: the lowest goes first. */
  readonly seniority: number;
  /** When it joined the queue, so pacing never counts its start from before it existed. */
  readonly enqueuedAt: number;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (error: unknown) => void;
  readonly detach: () => void;
}

/** Weight of the newest observation in the latency and tokens-per-request averages. */
const SMOOTHING = 0.2;

/** Replies to average tokens per request over before saying the token budget binds. */
const TOKENS_BIND_AFTER_REPLIES = 20;
/** The token budget binds when it allows fewer requests than this share of the request rate. */
const TOKENS_BIND_SHARE = 0.9;

/**
 * One provider's gate: waiters served in the dispatcher's ServiceOrder (arrival order, or the
 * oldest conversation first while the queue is over-fed or the run drains), starts spaced by the
 * pace (ProviderPacing: the rate, the server's reported limit, the learned margin, AIMD cuts), a
 * concurrency cap, a token budget, Retry-After pauses and the circuit breaker.
 * One timer at most, armed for the moment the head of the queue (or the end of a cooldown)
 * becomes due; never polls.
 */
export class ProviderSlot {
  readonly name: ProviderName;
  readonly provider: ChatProvider;
  readonly models: RoleModels;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  readonly health: ProviderHealth;
  /** How long a request here may stay silent before it counts as hung, learned from replies. */
  readonly silence: SilenceLimits;
  /** Requests routed here and not finished: waiting, running or backing off. Routing reads it. */
  outstanding = 0;
  private readonly pacing: ProviderPacing;
  private readonly waiters = new Set<Waiter>();
  private tokenBucket: TokenBucket | undefined;
  private tokensPerMinute: number | undefined;
  private running = 0;
  private latencyEstimate: number;
  private latencyObserved = false;
  private tokensPerRequest: number | undefined;
  private repliesObserved = 0;
  /** Whether the log has said that the token budget, not the request rate, sets this provider's pace. */
  private tokensBindSaid = false;
  private tokensFromHeaders = false;
  private timer: { readonly controller: AbortController; readonly dueAt: number } | undefined;
  private closed = false;
  /** False while the adapter's SDK loads (ChatProvider.ready): nothing starts here before. */
  private loaded: boolean;
  private readonly flow: FlowMeter;

  constructor(
    options: ProviderSlotOptions,
    private readonly world: SlotWorld,
  ) {
    this.name = options.provider.name;
    this.provider = options.provider;
    this.models = options.models;
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.silence = new SilenceLimits(world.silencePolicy, this.timeoutMs);
    this.pacing = new ProviderPacing(options, { ...world.healthPolicy, ...world.marginPolicy }, (change) => world.onRateChange(this, change));
    this.tokensPerMinute = options.tokensPerMinute;
    this.tokenBucket =
      options.tokensPerMinute === undefined ? undefined : new TokenBucket(options.tokensPerMinute, world.now);
    this.latencyEstimate = world.expectedLatencyMs;
    this.health = new ProviderHealth(world.healthPolicy, world.now, (change) => this.onHealthChange(change));
    this.flow = new FlowMeter(world.now());
    this.loaded = options.provider.ready === undefined;
    // A failed load is the run's to report (start-generation); the queue just never starts.
    options.provider.ready?.then(
      () => {
        this.loaded = true;
        this.pump();
      },
      () => undefined,
    );
  }
  /**
   * The model this provider runs for `role`. Configuration names one for every role the selected
   * pipeline declares, so a miss is the pipeline asking for a role it never declared.
   */
  modelFor(role: string): string {
    const model = this.models[role];
    if (model === undefined) {
      throw new Error(`${this.name} has no model for the role "${role}" (it has ${Object.keys(this.models).join(', ')}); the pipeline must declare every role it requests.`);
    }
    return model;
  }


  /** Observed latency (EWMA of successful requests), or the configured guess before the first. */
  get latencyMs(): number {
    return this.latencyEstimate;
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiters.size;
  }

  /** Starved or over-fed since the last reading (see FlowMeter); the next reading starts now. */
  readFlow(now: number): FlowSample {
    return this.flow.read(now, this.nextStartAt(), this.couldStart());
  }

  /** When the next request could have started (or can start) if one were waiting: pacing, pauses and tokens. */
  private nextStartAt(): number {
    const tokensReadyAt = this.tokenBucket?.readyAt(this.tokensPerRequest ?? 0) ?? Number.NEGATIVE_INFINITY;
    return Math.max(this.pacing.dueAt(), tokensReadyAt);
  }

  /** Whether only the lack of a waiting request would keep one from starting (health, the cap). */
  private couldStart(): boolean {
    return !this.closed && this.loaded && this.health.phase === 'active' && this.running < this.maxConcurrency;
  }

  private queueWillHold(waiting: number): void {
    const now = this.world.now();
    this.flow.queueChanged(now, waiting, this.nextStartAt(), this.couldStart());
  }

  /** Whether a request may join the queue: active, or half-open with the probe not yet taken. */
  accepting(): boolean {
    if (this.closed) return false;
    const phase = this.health.phase;
    return phase === 'active' || (phase === 'half_open' && this.waiters.size === 0);
  }

  /** Whether the requests routed here (running, waiting or about to wait) leave room for one more. */
  hasCapacity(): boolean {
    return Math.max(this.outstanding, this.running + this.waiters.size) < this.maxConcurrency;
  }

  /** The rate before 429s slow it: configured, or reported by the server's headers. */
  get requestsPerSecond(): number {
    return this.pacing.requestsPerSecond;
  }

  /** The rate in force and where it comes from, for the progress record. */
  pace(): ProviderPace {
    return this.pacing.describe(this.world.now());
  }

  /** Requests per second this provider can really take: the pace, or less when tokens bind. */
  effectiveRate(): number {
    const rate = this.pacing.effectiveRate(this.world.now());
    return Math.min(rate, this.tokenBoundRate() ?? rate);
  }

  /** Requests per second the token budget allows at the tokens a request has used so far; undefined without a budget or a reply. */
  private tokenBoundRate(): number | undefined {
    if (this.tokensPerMinute === undefined || this.tokensPerRequest === undefined || this.tokensPerRequest <= 0) return undefined;
    return this.tokensPerMinute / 60 / this.tokensPerRequest;
  }

  /**
   * Requests this provider can have routed to it without starting late: rate × latency, or its
   * concurrency cap if that is lower (a local server taking 4 at a time runs no more, however fast
   * its rate), plus one so that a provider with short replies keeps a request waiting.
   */
  capacity(): number {
    return Math.min((this.effectiveRate() * this.latencyEstimate) / 1000, this.maxConcurrency) + 1;
  }

  /**
   * How loaded this provider would be with one more request, relative to its capacity: the time
   * to serve everything routed here plus the new request, divided by latency + one interval.
   * Below 1 the provider idles between replies; above, requests queue. Two measures, the larger
   * wins: the steady state of the requests routed here (each conversation comes back once per
   * latency), and the queue as it stands (a Retry-After pause, pacing, a token shortfall).
   * Comparing ratios rather than raw waits gives each provider slack in proportion to its
   * capacity, which is what absorbs the spread of its latencies; with equal latencies it splits
   * new conversations in proportion to the rates. The interval is the pace's, or latency ÷ cap
   * when the concurrency cap allows fewer starts (a local server at 4 requests at a time), so a
   * capped provider is neither skipped while it serves sooner than the others nor fed beyond
   * what its cap starts.
   */
  routingScore(now: number): number {
    const interval = Math.max(1000 / this.effectiveRate(), this.latencyEstimate / this.maxConcurrency);
    const readyAt = Math.max(this.nextStartAt(), now);
    const steady = (this.outstanding + 1) * interval;
    const queue = readyAt - now + (this.waiters.size + 1) * interval;
    return Math.max(steady, queue) / (this.latencyEstimate + interval);
  }

  /**
   * Waits for permission to start; rejects with the signal's reason on abort. Served in the
   * world's ServiceOrder: arrival order, or the conversation opened first (lowest `seniority`)
   * first, in arrival order among equals.
   */
  acquire(tokens: number, signal: AbortSignal, seniority: number): Promise<Lease> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (!this.accepting()) return Promise.reject(new SlotUnavailableError(this.name));
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = (): void => {
        this.queueWillHold(this.waiters.size - 1);
        this.waiters.delete(waiter);
        reject(signal.reason);
        if (this.health.phase === 'half_open') this.world.onProbeFreed(this);
        this.pump();
      };
      const waiter: Waiter = {
        tokens,
        seniority,
        enqueuedAt: this.world.now(),
        resolve,
        reject,
        detach: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queueWillHold(this.waiters.size + 1);
      this.waiters.add(waiter);
      this.pump();
    });
  }

  finish(lease: Lease, outcome: LeaseOutcome): void {
    this.running -= 1;
    if (outcome.ok) {
      if (outcome.rateLimit !== undefined) this.observeLimits(outcome.rateLimit);
      const used = outcome.usage.inputTokens + outcome.usage.outputTokens;
      this.tokenBucket?.settle(lease.tokens, used);
      this.observe(outcome.latencyMs, used);
      this.health.recordSuccess(lease.probe);
    } else {
      if (outcome.error.rateLimit !== undefined) this.observeLimits(outcome.error.rateLimit);
      // A failed request rarely consumed its budget; refunding keeps a flaky provider usable.
      this.tokenBucket?.settle(lease.tokens, 0);
      if (!this.absorbRateLimit(lease, outcome.error)) this.health.recordFailure(outcome.error, lease.probe);
    }
    this.pump();
  }

  /** A 429 moves the pace (ProviderPacing); true when it answered a request sent before the last cut: no sign of a broken provider. */
  private absorbRateLimit(lease: Lease, error: ProviderError): boolean {
    if (error.kind !== 'rate_limit') return false;
    return this.pacing.onRateLimited(error, lease.startedAt, this.world.now()) && !lease.probe;
  }

  /** The server's own limits: the request limit re-paces, the token limit replaces (or starts) the token budget. */
  private observeLimits(snapshot: RateLimitSnapshot): void {
    this.pacing.onLimits(snapshot);
    if (snapshot.tokens === undefined) return;
    const reported = Math.floor(limitPerMinute(snapshot.tokens));
    if (!Number.isFinite(reported) || reported <= 0 || reported === this.tokensPerMinute) return;
    const previousPerMinute = this.tokensPerMinute;
    this.tokensPerMinute = reported;
    this.tokensFromHeaders = true;
    if (this.tokenBucket === undefined) this.tokenBucket = new TokenBucket(reported, this.world.now);
    else this.tokenBucket.resize(reported);
    this.world.onRateChange(this, { kind: 'tokens', tokensPerMinute: reported, previousPerMinute, style: snapshot.style });
  }

  /** Honours a Retry-After: no request starts here before `now + ms`; the other providers go on. */
  pauseFor(ms: number): void {
    const until = this.world.now() + ms;
    if (ms > this.world.healthPolicy.pauseLimitMs) {
      this.health.coolUntil(until, `rate limited; Retry-After ${Math.ceil(ms / 1000)} s`);
      return;
    }
    this.pacing.pauseUntil(until);
    this.pump();
  }

  close(reason: unknown): void {
    this.closed = true;
    this.timer?.controller.abort();
    this.timer = undefined;
    this.rejectWaiters(reason);
  }

  private pump(): void {
    while (!this.closed && this.loaded && this.waiters.size > 0) {
      const phase = this.health.phase;
      if (phase !== 'active' && phase !== 'half_open') return;
      if (this.running >= this.maxConcurrency) return;
      const head = this.head();
      const now = this.world.now();
      this.pacing.update(now);
      const startAt = Math.max(this.pacing.dueAt(), this.tokenBucket?.readyAt(head.tokens) ?? now);
      if (startAt > now) {
        this.arm(startAt);
        return;
      }
      this.grant(head, now);
    }
  }

  /**
   * The next waiter to serve in the world's ServiceOrder. The oldest is found by a scan, as queues
   * hold tens of waiters, not thousands.
   */
  private head(): Waiter {
    const order = this.world.serviceOrder();
    const oldest = order === 'oldest' || (order === 'oldest-when-over-fed' && this.waiters.size > overFedQueueLength(this.effectiveRate()));
    if (!oldest) return this.waiters.values().next().value as Waiter;
    let head: Waiter | undefined;
    for (const waiter of this.waiters) if (head === undefined || waiter.seniority < head.seniority) head = waiter;
    return head as Waiter;
  }

  private grant(waiter: Waiter, now: number): void {
    // The pacer forgives a late start from when the queue began waiting: the first waiter in
    // arrival order, whichever is served (an older conversation's request may have just arrived).
    const waitingSince = (this.waiters.values().next().value as Waiter).enqueuedAt;
    this.queueWillHold(this.waiters.size - 1);
    this.flow.started();
    this.waiters.delete(waiter);
    waiter.detach();
    this.pacing.recordStart(now, waitingSince);
    this.running += 1;
    this.tokenBucket?.take(waiter.tokens);
    const probe = this.health.phase === 'half_open';
    if (probe) this.health.beginProbe();
    waiter.resolve({ probe, startedAt: now, tokens: waiter.tokens });
  }

  /** Keeps the single timer set for the earliest moment something becomes due. */
  private arm(at: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (this.timer.dueAt <= at) return;
      this.timer.controller.abort();
    }
    const timer = { controller: new AbortController(), dueAt: at };
    this.timer = timer;
    // Rounded up so that a millisecond clock has reached `at` when the timer fires.
    const delay = Math.max(0, Math.ceil(at - this.world.now()));
    this.world.sleep(delay, timer.controller.signal).then(
      () => {
        if (this.timer !== timer) return;
        this.timer = undefined;
        this.onTimer();
      },
      () => undefined,
    );
  }

  private onTimer(): void {
    this.health.endCooldownIfDue();
    if (this.health.phase === 'cooling') this.arm(this.health.cooldownUntil);
    this.pump();
  }

  private onHealthChange(change: HealthChange): void {
    if (change.phase === 'cooling' || change.phase === 'disabled') {
      this.rejectWaiters(new SlotUnavailableError(this.name));
    }
    if (change.phase === 'cooling') this.arm(this.health.cooldownUntil);
    this.world.onHealthChange(this, change);
    this.pump();
  }

  private rejectWaiters(reason: unknown): void {
    const waiters = [...this.waiters];
    this.queueWillHold(0);
    this.waiters.clear();
    for (const waiter of waiters) {
      waiter.detach();
      waiter.reject(reason);
    }
  }

  private observe(latencyMs: number, tokens: number): void {
    this.latencyEstimate = this.latencyObserved
      ? this.latencyEstimate + SMOOTHING * (latencyMs - this.latencyEstimate)
      : latencyMs;
    this.latencyObserved = true;
    this.tokensPerRequest =
      this.tokensPerRequest === undefined ? tokens : this.tokensPerRequest + SMOOTHING * (tokens - this.tokensPerRequest);
    this.repliesObserved += 1;
    this.sayIfTokensBind();
  }

  /**
   * Once, when the tokens-per-minute budget holds this provider well under its request rate at the
   * tokens its requests really use: a budget left at a free tier's default (Mistral's 500,000) holds
   * 60 requests/s of 600 tokens to 14, and nothing else would say why the quota goes unused.
   */
  private sayIfTokensBind(): void {
    if (this.tokensBindSaid || this.repliesObserved < TOKENS_BIND_AFTER_REPLIES) return;
    const tokenBound = this.tokenBoundRate();
    if (tokenBound === undefined || tokenBound >= TOKENS_BIND_SHARE * this.pacing.requestsPerSecond) return;
    this.tokensBindSaid = true;
    this.world.onRateChange(this, {
      kind: 'tokens-bind',
      requestsPerSecond: tokenBound,
      tokensPerMinute: this.tokensPerMinute!,
      tokensPerRequest: this.tokensPerRequest!,
      fromHeaders: this.tokensFromHeaders,
    });
  }
}
