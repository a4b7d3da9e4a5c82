import { createRandom, seedFromString, type Random } from '../core/random.js';
import type { ProviderType } from '../core/types.js';
import { checkProviderOptions } from './check-emulator-options.js';
import { ProviderTally } from './counters.js';
import {
  mergeProviderOptions,
  type EmulatorFaults,
  type EmulatorLatency,
  type EmulatorProviderOptions,
  type ToolCallFormat,
} from './emulator-options.js';
import { createRequestLimiter, type RequestLimiter } from './rate-limiter.js';
import type { EmulatorDefects } from './defects.js';
import { NATIVE_HEADER_STYLE, rateLimitResponseHeaders, type RateLimitHeaderStyle } from './rate-limit-response-headers.js';
import { TokenLimiter } from './token-limiter.js';

const DEFAULT_TOOL_CALL_RATE = 0.6;
const DEFAULT_WRONG_CALL_RATE = 0.2;
const DEFAULT_STREAM_CHUNK_CHARACTERS = 16;
const DEFAULT_FIRST_CHUNK_SHARE = 0.25;

/** A provider's options with every default applied. */
export interface ResolvedProviderOptions {
  readonly latency: EmulatorLatency | undefined;
  readonly faults: EmulatorFaults;
  readonly defects: EmulatorDefects;
  readonly authFailure: boolean;
  readonly strict: boolean;
  readonly toolCallFormat: ToolCallFormat | 'mixed';
  readonly toolCallRate: number;
  readonly wrongCallRate: number;
  readonly injectedRetryAfterMs: number;
  readonly streamChunkCharacters: number;
  readonly firstChunkShare: number;
  readonly requestsPerSecond: number | undefined;
  /** Undefined: no rate-limit headers. */
  readonly rateLimitHeaders: RateLimitHeaderStyle | undefined;
}

/**
 * Everything the emulator keeps per provider. Faults and latency draw from their own seeded
 * streams, so turning latency on does not change which requests fail.
 */
export class ProviderState {
  options!: ResolvedProviderOptions;
  limiter: RequestLimiter | undefined;
  tokenLimiter: TokenLimiter | undefined;
  tally = new ProviderTally();
  readonly faultRandom: Random;
  readonly latencyRandom: Random;
  /** Its own stream, so asking for defects leaves which requests fail, and when, as they were. */
  readonly defectRandom: Random;

  constructor(
    readonly provider: ProviderType,
    seed: number,
    defaults: EmulatorProviderOptions | undefined,
    options: EmulatorProviderOptions | undefined,
    now: number,
  ) {
    this.faultRandom = createRandom(seedFromString(`${seed}:${provider}:faults`));
    this.latencyRandom = createRandom(seedFromString(`${seed}:${provider}:latency`));
    this.defectRandom = createRandom(seedFromString(`${seed}:${provider}:defects`));
    this.configure(defaults, options, now);
  }

  /** Replaces the options (merged over the defaults) and starts fresh, empty limiters. */
  configure(defaults: EmulatorProviderOptions | undefined, options: EmulatorProviderOptions | undefined, now: number): void {
    const merged = mergeProviderOptions(defaults, options);
    checkProviderOptions(merged, this.provider);
    this.limiter =
      merged.requestsPerSecond === undefined
        ? undefined
        : createRequestLimiter(merged.limiter ?? 'token-bucket', { requestsPerSecond: merged.requestsPerSecond, burst: merged.burst, countRefused: merged.countRefused }, now);
    this.tokenLimiter = merged.tokensPerMinute === undefined ? undefined : new TokenLimiter(merged.tokensPerMinute);
    this.options = {
      latency: merged.latency,
      faults: merged.faults ?? {},
      defects: merged.defects ?? {},
      authFailure: merged.authFailure ?? false,
      strict: merged.strict ?? true,
      toolCallFormat: merged.toolCallFormat ?? 'mixed',
      toolCallRate: merged.toolCallRate ?? DEFAULT_TOOL_CALL_RATE,
      wrongCallRate: merged.wrongCallRate ?? DEFAULT_WRONG_CALL_RATE,
      injectedRetryAfterMs:
        merged.injectedRetryAfterMs ?? (merged.requestsPerSecond === undefined ? 1000 : Math.ceil(1000 / merged.requestsPerSecond)),
      streamChunkCharacters: Math.round(merged.streamChunkCharacters ?? DEFAULT_STREAM_CHUNK_CHARACTERS),
      firstChunkShare: merged.latency?.firstChunkShare ?? DEFAULT_FIRST_CHUNK_SHARE,
      requestsPerSecond: merged.requestsPerSecond,
      rateLimitHeaders:
        merged.rateLimitHeaders === true ? NATIVE_HEADER_STYLE[this.provider] : merged.rateLimitHeaders || undefined,
    };
  }

  /** The rate-limit headers of an answer decided at `now`, if this provider sends them. */
  limitHeaders(now: number): Record<string, string> | undefined {
    const style = this.options.rateLimitHeaders;
    if (style === undefined) return undefined;
    const { limiter, tokenLimiter } = this;
    const requestsPerSecond = this.options.requestsPerSecond;
    return rateLimitResponseHeaders(style, {
      requests: limiter === undefined || requestsPerSecond === undefined ? undefined : { status: limiter.status(now), requestsPerSecond },
      tokens: tokenLimiter?.status(now),
    });
  }
}
