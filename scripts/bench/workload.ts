import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Emulator, EmulatorProviderOptions } from '../../src/emulator/index.js';
import type { LimiterKind } from '../../src/emulator/index.js';

/** The providers the benchmark drives; `openai_compatible` is left out, as on the free tiers. */
export type BenchProvider = 'mistral' | 'together' | 'huggingface';

export interface Workload {
  /** Requests per second, configured in secrets.json and enforced by the emulator alike. */
  readonly rates: Readonly<Record<BenchProvider, number>>;
  /** Log-normal latency of every answer. */
  readonly latency: { readonly medianMs: number; readonly sigma: number };
  /** Injected faults, per request; hung requests and mid-stream stalls for the hang scenario. */
  readonly faults: { readonly rate429: number; readonly rate500: number; readonly rateHang?: number; readonly rateStall?: number };
  /** `timeout_ms` of every provider. @default 30_000 */
  readonly timeoutMs?: number;
  /**
   * The wait an injected 429 asks for; undefined = the emulator's default, one request interval
   * (what a real limiter answers: when the next slot frees).
   */
  readonly injectedRetryAfterMs?: number;
  /** Seeds the emulator (faults, latency, scripted model) and the daemon's users and topics. */
  readonly seed: number;
  /** How the emulator enforces the rates. @default 'token-bucket' */
  readonly limiter?: LimiterKind;
  /** `providers.<name>.pacing_margin_ms` in secrets.json. @default none */
  readonly pacingMarginMs?: number;
  /**
   * Tokens per minute, configured in secrets.json and enforced by the emulator alike, where the
   * workload sets one. @default each provider's own default (Mistral's free tier: 500,000), not enforced
   */
  readonly tokensPerMinute?: Readonly<Partial<Record<BenchProvider, number>>>;
}

/**
 * The free tiers' proportions (Mistral : Together : Hugging Face = 2 : 2 : 1), scaled up in time so
 * a run takes minutes, with a median latency several times the 125 ms request interval: one
 * request at a time would use a small fraction of the quota, as the original tool did.
 */
export const DEFAULT_WORKLOAD: Workload = Object.freeze({
  rates: Object.freeze({ mistral: 8, together: 8, huggingface: 4 }),
  latency: Object.freeze({ medianMs: 800, sigma: 0.5 }),
  faults: Object.freeze({ rate429: 0.03, rate500: 0.01 }),
  seed: 1,
});

/** How long an injected 429 stops a provider of this rate: the daemon pauses the whole provider for it. */
export function injectedPauseMs(workload: Workload, rate: number): number {
  return workload.injectedRetryAfterMs ?? Math.ceil(1000 / rate);
}

/**
 * The share of the theoretical limit a client can reach when it honours every injected 429's
 * Retry-After: each 429 (probability p per request) stops a provider of rate r for T seconds,
 * costing r·T request slots, so a provider sends at most 1 / (1 + p·r·T) of its rate.
 */
export function retryAfterCeiling(workload: Workload): number {
  const attainable = providersOf(workload).reduce((sum, provider) => {
    const rate = workload.rates[provider];
    const pause = (workload.faults.rate429 * injectedPauseMs(workload, rate)) / 1000;
    return sum + rate / (1 + pause * rate);
  }, 0);
  return attainable / totalRate(workload);
}

/** Models named after their role, so the emulator's scripted model plays it. */
const EMULATOR_MODELS = { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' };

/** Fake keys: the emulator only checks that a bearer token is present. */
const BENCH_KEYS: Readonly<Record<BenchProvider, string>> = {
  mistral: 'mistral-bench-key',
  together: 'together-bench-key',
  huggingface: 'hf_bench_key',
};

/** A timeout far above the longest latency the emulator draws (8 × the median), so none fires. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The providers the workload drives: a rate of 0 leaves a provider out (e.g. two providers only). */
export function providersOf(workload: Workload): BenchProvider[] {
  return (Object.keys(workload.rates) as BenchProvider[]).filter((provider) => workload.rates[provider] > 0);
}

export function totalRate(workload: Workload): number {
  return providersOf(workload).reduce((sum, provider) => sum + workload.rates[provider], 0);
}

/** The emulator's behaviour for one provider: the same rate as configured, plus latency and faults. */
export function emulatorProviderOptions(workload: Workload, provider: BenchProvider): EmulatorProviderOptions {
  return {
    requestsPerSecond: workload.rates[provider],
    limiter: workload.limiter,
    latency: workload.latency,
    faults: workload.faults,
    injectedRetryAfterMs: workload.injectedRetryAfterMs,
    ...(workload.tokensPerMinute?.[provider] === undefined ? {} : { tokensPerMinute: workload.tokensPerMinute[provider] }),
  };
}

/**
 * Writes `<dataDir>/secrets.json` with the workload's rates and the emulator's models, and
 * returns the environment that points every SDK at the emulator.
 */
export function prepareDataDir(dataDir: string, emulator: Emulator, workload: Workload): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  const providers: Record<string, unknown> = {};
  for (const provider of providersOf(workload)) {
    providers[provider] = {
      requests_per_second: workload.rates[provider],
      models: EMULATOR_MODELS,
      timeout_ms: workload.timeoutMs ?? REQUEST_TIMEOUT_MS,
      ...(workload.pacingMarginMs === undefined ? {} : { pacing_margin_ms: workload.pacingMarginMs }),
      ...(workload.tokensPerMinute?.[provider] === undefined ? {} : { tokens_per_minute: workload.tokensPerMinute[provider] }),
    };
  }
  const secrets = {
    mistral_api_key: BENCH_KEYS.mistral,
    together_api_key: BENCH_KEYS.together,
    huggingface_api_key: BENCH_KEYS.huggingface,
    enabled_providers: providersOf(workload),
    providers,
  };
  writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(secrets, null, 2));
  return {
    MISTRAL_BASE_URL: emulator.baseUrls.mistral,
    TOGETHER_BASE_URL: emulator.baseUrls.together,
    HF_BASE_URL: emulator.baseUrls.huggingface,
  };
}
