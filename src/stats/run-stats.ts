import type { DispatchEvent, ModelPrice, ProviderName, ProviderPace, ProviderState } from '../core/types.js';

export type { ModelPrice };
import { LatencyRing } from './latency-ring.js';
import type { CostSummary, ModelProgress, ProgressRecord, ProviderProgress, ToolCallCounts } from './progress-record.js';
import { SlidingWindow } from './sliding-window.js';

export interface RunStatsOptions {
  /** Conversations wanted on disk in total. */
  readonly target: number;
  /** Conversations already on disk when this run started (resume). */
  readonly alreadySaved: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Width of the window behind `rate.recentPerHour`. @default 600_000 (ten minutes) */
  readonly recentWindowMs?: number;
  /** Prices by model name; without them (undefined or empty) every cost is null. @default undefined */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** Latencies kept per provider for mean/p50/p95. @default 512 */
  readonly latencySamples?: number;
  /** The rate each provider is paced at, read at each snapshot (normally `Dispatcher.providerPaces`). @default none */
  readonly paces?: () => Partial<Record<string, ProviderPace>>;
}

interface ProviderCounters {
  conversations: number;
  invalid: number;
  requests: number;
  successes: number;
  rateLimited: number;
  errors: number;
  aborted: number;
  retries: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  state: ProviderState;
  readonly latencies: LatencyRing;
}

interface ModelCounters {
  inputTokens: number;
  outputTokens: number;
  cost: number;
  readonly priced: boolean;
}

const MS_PER_HOUR = 3_600_000;
const ACTIVE: ProviderState = { status: 'active' };

/**
 * Counts what a run does. Every `on…`/`conversation…` call is a few integer increments so the
 * dispatcher's hot path stays lean; rates, percentiles and costs are computed only in `snapshot()`,
 * which a timer calls.
 */
export class RunStats {
  private readonly target: number;
  private readonly alreadySaved: number;
  private readonly now: () => number;
  private readonly startedAtMs: number;
  private readonly prices: Readonly<Record<string, ModelPrice>> | undefined;
  private spentTokens = 0;
  private spentCost = 0;
  private readonly latencySamples: number;
  private readonly paces: (() => Partial<Record<string, ProviderPace>>) | undefined;
  private readonly recentSaves: SlidingWindow;
  private readonly providers = new Map<string, ProviderCounters>();
  private readonly models = new Map<string, ModelCounters>();
  private readonly toolCalls = new Map<string, { ok: number; failed: number }>();
  private readonly discards = new Map<string, number>();
  private started = 0;
  private savedThisRun = 0;
  private discardedThisRun = 0;
  private invalidThisRun = 0;
  private surplusThisRun = 0;

  constructor(options: RunStatsOptions) {
    requireCount('target', options.target);
    requireCount('alreadySaved', options.alreadySaved);
    this.target = options.target;
    this.alreadySaved = options.alreadySaved;
    this.now = options.now ?? Date.now;
    // The configuration always holds a list, empty when the user set no prices: "$0.00" would mislead.
    this.prices = options.prices !== undefined && Object.keys(options.prices).length > 0 ? options.prices : undefined;
    this.latencySamples = options.latencySamples ?? 512;
    this.paces = options.paces;
    this.recentSaves = new SlidingWindow(options.recentWindowMs ?? 600_000);
    this.startedAtMs = this.now();
  }

  onDispatchEvent(event: DispatchEvent): void {
    const provider = this.provider(event.provider);
    switch (event.type) {
      case 'request-start':
        provider.requests++;
        return;
      case 'request-end':
        provider.successes++;
        provider.latencies.record(event.latencyMs);
        this.addUsage(provider, event.model, event.usage.inputTokens, event.usage.outputTokens);
        return;
      case 'request-error':
        if (event.kind === 'rate_limit' || event.status === 429) provider.rateLimited++;
        else if (event.kind === 'aborted') provider.aborted++;
        else provider.errors++;
        if (event.willRetry) provider.retries++;
        return;
      case 'provider-state':
        provider.state = event.state;
        return;
    }
  }

  conversationStarted(): void {
    this.started++;
  }

  conversationSaved(info: {
    readonly provider: ProviderName | undefined;
    readonly toolCalls: readonly { readonly name: string; readonly ok: boolean }[];
  }): void {
    this.savedThisRun++;
    this.recentSaves.add(this.now());
    if (info.provider !== undefined) this.provider(info.provider).conversations++;
    this.countToolCalls(info.toolCalls);
  }

  /** Its tool calls count too: they ran, and a failed one is often why it was labelled invalid. */
  conversationInvalid(info: {
    readonly provider: ProviderName | undefined;
    readonly toolCalls?: readonly { readonly name: string; readonly ok: boolean }[];
  }): void {
    this.invalidThisRun++;
    if (info.provider !== undefined) this.provider(info.provider).invalid++;
    this.countToolCalls(info.toolCalls ?? []);
  }

  private countToolCalls(calls: readonly { readonly name: string; readonly ok: boolean }[]): void {
    for (const call of calls) {
      let counts = this.toolCalls.get(call.name);
      if (counts === undefined) {
        counts = { ok: 0, failed: 0 };
        this.toolCalls.set(call.name, counts);
      }
      if (call.ok) counts.ok++;
      else counts.failed++;
    }
  }

  conversationDiscarded(reason: string): void {
    this.discardedThisRun++;
    this.discards.set(reason, (this.discards.get(reason) ?? 0) + 1);
  }

  /** A spare stopped when the target was reached (ConversationRunner): neither saved nor discarded. */
  conversationSurplus(): void {
    this.surplusThisRun++;
  }

  snapshot(): ProgressRecord {
    const nowMs = this.now();
    const elapsedMs = Math.max(0, nowMs - this.startedAtMs);
    const saved = this.alreadySaved + this.savedThisRun;
    const overallPerHour = elapsedMs > 0 ? (this.savedThisRun * MS_PER_HOUR) / elapsedMs : 0;
    const recentSpanMs = Math.min(this.recentSaves.windowMs, elapsedMs);
    const recentCount = this.recentSaves.count(nowMs);
    const recentPerHour = recentSpanMs > 0 ? (recentCount * MS_PER_HOUR) / recentSpanMs : 0;
    const remaining = Math.max(0, this.target - saved);
    const etaRate = recentPerHour > 0 ? recentPerHour : overallPerHour;
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (etaRate > 0) etaSeconds = Math.round((remaining / etaRate) * 3600);
    return {
      at: new Date(nowMs).toISOString(),
      saved,
      target: this.target,
      percent: this.target > 0 ? Math.round((saved / this.target) * 1000) / 10 : 100,
      savedThisRun: this.savedThisRun,
      started: this.started,
      inFlight: Math.max(0, this.started - this.savedThisRun - this.discardedThisRun - this.invalidThisRun - this.surplusThisRun),
      ...(this.surplusThisRun > 0 ? { surplus: this.surplusThisRun } : {}),
      ...(this.invalidThisRun > 0 ? { invalid: this.invalidThisRun, validityRate: roundTo(this.savedThisRun / (this.savedThisRun + this.invalidThisRun), 3) } : {}),
      rate: {
        overallPerHour: roundTo(overallPerHour, 1),
        recentPerHour: roundTo(recentPerHour, 1),
        recentWindowSeconds: Math.round(this.recentSaves.windowMs / 1000),
      },
      etaSeconds,
      elapsedSeconds: Math.round(elapsedMs / 1000),
      providers: this.providerSnapshot(),
      models: this.modelSnapshot(),
      toolCalls: Object.fromEntries(
        [...this.toolCalls].map(([name, counts]): [string, ToolCallCounts] => [name, { ...counts }]),
      ),
      discarded: Object.fromEntries(this.discards),
      tokens: this.totalTokens(),
      cost: this.costSummary(remaining),
    };
  }

  private provider(name: string): ProviderCounters {
    let counters = this.providers.get(name);
    if (counters === undefined) {
      counters = {
        conversations: 0,
        invalid: 0,
        requests: 0,
        successes: 0,
        rateLimited: 0,
        errors: 0,
        aborted: 0,
        retries: 0,
        inputTokens: 0,
        outputTokens: 0,
        cost: 0,
        state: ACTIVE,
        latencies: new LatencyRing(this.latencySamples),
      };
      this.providers.set(name, counters);
    }
    return counters;
  }

  /** Tokens and cost of this run so far, from running totals (no snapshot): for the budget check after every reply. */
  spent(): { readonly tokens: number; readonly cost: number | undefined } {
    return { tokens: this.spentTokens, cost: this.prices === undefined ? undefined : this.spentCost };
  }

  private addUsage(provider: ProviderCounters, model: string, inputTokens: number, outputTokens: number): void {
    this.spentTokens += inputTokens + outputTokens;
    let counters = this.models.get(model);
    if (counters === undefined) {
      counters = { inputTokens: 0, outputTokens: 0, cost: 0, priced: this.prices?.[model] !== undefined };
      this.models.set(model, counters);
    }
    counters.inputTokens += inputTokens;
    counters.outputTokens += outputTokens;
    provider.inputTokens += inputTokens;
    provider.outputTokens += outputTokens;
    const price = this.prices?.[model];
    if (price !== undefined) {
      const cost = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
      counters.cost += cost;
      provider.cost += cost;
      this.spentCost += cost;
    }
  }

  private providerSnapshot(): Record<string, ProviderProgress> {
    const result: Record<string, ProviderProgress> = {};
    const paces = this.paces?.() ?? {};
    // Every paced provider is listed, so the rate in force shows before its first request.
    for (const name of Object.keys(paces)) this.provider(name);
    for (const [name, counters] of this.providers) {
      const pace = paces[name];
      result[name] = {
        conversations: counters.conversations,
        requests: counters.requests,
        inFlight: Math.max(0, counters.requests - counters.successes - counters.rateLimited - counters.errors - counters.aborted),
        successes: counters.successes,
        rateLimited: counters.rateLimited,
        errors: counters.errors,
        aborted: counters.aborted,
        retries: counters.retries,
        latency: counters.latencies.summary(),
        tokens: { input: counters.inputTokens, output: counters.outputTokens },
        cost: this.prices === undefined ? null : roundMoney(counters.cost),
        state: counters.state,
        ...(pace === undefined ? {} : { pace }),
      };
    }
    return result;
  }

  private modelSnapshot(): Record<string, ModelProgress> {
    const result: Record<string, ModelProgress> = {};
    for (const [name, counters] of this.models) {
      result[name] = {
        input: counters.inputTokens,
        output: counters.outputTokens,
        cost: counters.priced ? roundMoney(counters.cost) : null,
      };
    }
    return result;
  }

  private totalTokens(): { input: number; output: number } {
    let input = 0;
    let output = 0;
    for (const counters of this.models.values()) {
      input += counters.inputTokens;
      output += counters.outputTokens;
    }
    return { input, output };
  }

  private costSummary(remaining: number): CostSummary | null {
    if (this.prices === undefined) return null;
    let total = 0;
    const unpricedModels: string[] = [];
    for (const [name, counters] of this.models) {
      if (counters.priced) total += counters.cost;
      else unpricedModels.push(name);
    }
    const projectedAtTarget =
      this.savedThisRun > 0 ? roundMoney(total + (remaining * total) / this.savedThisRun) : null;
    return { total: roundMoney(total), projectedAtTarget, unpricedModels };
  }
}

function requireCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Expected \`${name}\` to be an integer >= 0, got \`${value}\` (${typeof value})`);
  }
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Micro-units: small enough for per-request costs, short enough to read in JSON. */
function roundMoney(value: number): number {
  return roundTo(value, 6);
}
