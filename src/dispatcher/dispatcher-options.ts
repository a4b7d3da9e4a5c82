import type { BudgetGate } from '../core/budget.js';
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { ChatProvider, DispatchEvent, RoleModels } from '../core/types.js';
import type { MarginPolicy } from './learned-margin.js';
import type { HealthPolicy } from './provider-health.js';
import type { RetryPolicy } from './retry-policy.js';
import type { SilencePolicy } from './silence-limits.js';

/** One provider as the dispatcher drives it. */
export interface ProviderSlotOptions {
  /** The adapter (a real SDK in production, an in-memory fake in tests). */
  readonly provider: ChatProvider;
  /** The model this provider uses for each role. */
  readonly models: RoleModels;
  /**
   * Hard pacing: no one-second window holds more request starts than the rate (rounded up), and
   * starts are spaced 1000 / rps ms apart, except that one interval may be up to half shorter
   * (at most 10 ms) when the start before it was that late, so timer lateness does not slow the pace.
   * A 429 without Retry-After halves the pace for a while (HealthPolicy.rateRecoveryMs); a 429
   * saying the request rate was exceeded widens the window a little (MarginPolicy); a limit the
   * server reports in its rate-limit headers replaces this rate.
   */
  readonly requestsPerSecond: number;
  /**
   * Token budget per minute. A request reserves (characters / 4 + maxTokens) before it starts
   * (1_024 output tokens when maxTokens is unset) and settles with the reported usage after.
   * @default unlimited
   */
  readonly tokensPerMinute?: number;
  /** Requests in flight at once. @default 64 */
  readonly maxConcurrency?: number;
  /**
   * Outer deadline of one request, passed to the adapter as ChatRequest.timeoutMs; a hung or
   * stalled request ends much sooner, at the silence limits (DispatcherOptions.silence). @default 60_000
   */
  readonly timeoutMs?: number;
  /**
   * Extra spacing between request starts, in ms, as a margin for clock and network jitter against
   * a strict server-side limiter. @default 0
   */
  readonly pacingMarginMs?: number;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type DispatchLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface DispatcherOptions {
  readonly providers: readonly ProviderSlotOptions[];
  /** @default { baseMs: 500, capMs: 30_000, maxAttempts: 6 } */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * @default { failureThreshold: 3, refusalThreshold: 5, cooldownBaseMs: 5_000, cooldownCapMs: 300_000,
   *   pauseLimitMs: 30_000, rateRecoveryMs: 60_000, minimumRateFraction: 0.0625 }
   */
  readonly health?: Partial<HealthPolicy>;
  /**
   * How long a request may wait for its first byte, or sit silent mid-stream, before it counts as
   * hung: `factor` × the provider's observed 95th percentile, within [floorMs, capMs] and never
   * above its timeoutMs; `coldLimitMs` until `minimumSamples` replies were seen.
   * @default { factor: 4, floorMs: 3_000, capMs: 60_000, coldLimitMs: 30_000, minimumSamples: 5 }
   */
  readonly silence?: Partial<SilencePolicy>;
  /** How the learned margin against strict limiters grows and decays. @default { marginStepMs: 4, marginDecayMs: 0.01, marginMaximumMs: 250 } */
  readonly margin?: Partial<MarginPolicy>;
  /** Latency assumed for a provider until its first reply, in ms. @default 5_000 */
  readonly expectedLatencyMs?: number;
  /**
   * Share of the time since the last call that the process was busy (0 to 1), e.g. Node's event-loop
   * utilization: above 0.9 the concurrency controller stops growing. @default never busy
   */
  readonly busyShare?: () => number;
  /** Factor over the bare minimum of conversations in flight. @default 1.3 */
  readonly concurrencyHeadroom?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Must settle (resolve or reject) when `signal` aborts. @default a setTimeout-based sleep */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default Math.random */
  readonly random?: Random;
  /**
   * Monthly budgets: `reserve` right before each request is sent, `settle` when it ends. A provider
   * whose own budget is refused is disabled with the gate's reason; an overall refusal fails the
   * request as aborted. @default no budget
   */
  readonly budget?: BudgetGate;
  /** Called synchronously; a listener that throws is logged and otherwise ignored. */
  readonly onEvent?: (event: DispatchEvent) => void;
  /** @default no logging */
  readonly log?: DispatchLog;
}

export const DEFAULT_MAX_CONCURRENCY = 64;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_EXPECTED_LATENCY_MS = 5_000;
export const DEFAULT_CONCURRENCY_HEADROOM = 1.3;

/**
 * The lowest valid value of each numeric option, and whether it is valid itself (`true`) or only
 * anything above it (`false`). Checked in this order, so the first bad option is the one named.
 */
type Bounds<T> = { readonly [K in keyof T]?: readonly [minimum: number, inclusive: boolean] };

const SLOT_BOUNDS: Bounds<ProviderSlotOptions> = {
  requestsPerSecond: [0, false],
  tokensPerMinute: [0, false],
  maxConcurrency: [1, true],
  timeoutMs: [0, false],
  pacingMarginMs: [0, true],
};
const RETRY_BOUNDS: Bounds<RetryPolicy> = { baseMs: [0, true], capMs: [0, true], maxAttempts: [1, true] };
const HEALTH_BOUNDS: Bounds<HealthPolicy> = {
  failureThreshold: [1, true],
  refusalThreshold: [1, true],
  cooldownBaseMs: [0, true],
  cooldownCapMs: [0, true],
  pauseLimitMs: [0, true],
  rateRecoveryMs: [0, false],
  minimumRateFraction: [0, false],
};
const SILENCE_BOUNDS: Bounds<SilencePolicy> = {
  factor: [0, false],
  floorMs: [0, false],
  capMs: [0, false],
  coldLimitMs: [0, false],
  minimumSamples: [1, true],
};
const MARGIN_BOUNDS: Bounds<MarginPolicy> = { marginStepMs: [0, true], marginDecayMs: [0, true], marginMaximumMs: [0, true] };
const TOP_LEVEL_BOUNDS: Bounds<DispatcherOptions> = { expectedLatencyMs: [0, false], concurrencyHeadroom: [0, false] };

/** Checks options once at construction, with messages that say what was expected and found. */
export function validateDispatcherOptions(options: DispatcherOptions): void {
  if (options.providers.length === 0) {
    throw new ConfigError('Expected at least one provider for the dispatcher, got none; enable one in data/secrets.json');
  }
  const seen = new Set<string>();
  for (const slot of options.providers) {
    const name = slot.provider.name;
    if (seen.has(name)) throw new ConfigError(`Expected each provider once, got \`${name}\` twice`);
    seen.add(name);
    expectWithin(slot, SLOT_BOUNDS, (key) => `${key}\` of provider \`${name}`);
  }
  expectWithin(options.retry, RETRY_BOUNDS, (key) => `retry.${key}`);
  expectWithin(options.health, HEALTH_BOUNDS, (key) => `health.${key}`);
  if ((options.health?.minimumRateFraction ?? 0) > 1) {
    throw new ConfigError(`Expected \`health.minimumRateFraction\` to be at most 1, got \`${options.health?.minimumRateFraction}\``);
  }
  expectWithin(options.silence, SILENCE_BOUNDS, (key) => `silence.${key}`);
  expectWithin(options.margin, MARGIN_BOUNDS, (key) => `margin.${key}`);
  expectWithin(options, TOP_LEVEL_BOUNDS, (key) => key);
}

/** Every option `bounds` names that `given` sets is a finite number within its bound. */
function expectWithin<T>(given: T | undefined, bounds: Bounds<T>, nameOf: (key: string) => string): void {
  if (given === undefined) return;
  for (const [key, [minimum, inclusive]] of Object.entries(bounds) as [string, readonly [number, boolean]][]) {
    expectNumber(nameOf(key), (given as Record<string, number | undefined>)[key], minimum, inclusive);
  }
}

/** `minimum` is inclusive when `inclusive`, else exclusive; undefined means "use the default". */
function expectNumber(name: string, value: number | undefined, minimum: number, inclusive: boolean): void {
  if (value === undefined) return;
  const valid = Number.isFinite(value) && (inclusive ? value >= minimum : value > minimum);
  if (!valid) {
    const bound = inclusive ? `>= ${minimum}` : `> ${minimum}`;
    throw new ConfigError(`Expected \`${name}\` to be a finite number ${bound}, got \`${String(value)}\` (${typeof value})`);
  }
}
