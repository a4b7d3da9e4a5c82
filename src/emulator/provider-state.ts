import { createRandom, seedFromString, type Random } from '../core/random.js';
import type { ProviderName } from '../core/types.js';
import { checkProviderOptions } from './check-emulator-options.js';
import { ProviderTally } from './counters.js';
import {
  mergeProviderOptions,
  type EmulatorFaults,
  type EmulatorLatency,
  type EmulatorProviderOptions,
  type ToolCallFormat,
} from './emulator-options.js';
import { TokenBucket } from './rate-limiter.js';

const DEFAULT_TOOL_CALL_RATE = 0.6;
const DEFAULT_STREAM_CHUNK_CHARACTERS = 16;
const DEFAULT_FIRST_CHUNK_SHARE = 0.25;

/** A provider's options with every default applied. */
export interface ResolvedProviderOptions {
  readonly latency: EmulatorLatency | undefined;
  readonly faults: EmulatorFaults;
  readonly authFailure: boolean;
  readonly strict: boolean;
  readonly toolCallFormat: ToolCallFormat | 'mixed';
  readonly toolCallRate: number;
  readonly injectedRetryAfterMs: number;
  readonly streamChunkCharacters: number;
  readonly firstChunkShare: number;
}

/**
 * Everything the emulator keeps per provider. Faults and latency draw from their own seeded
 * streams, so turning latency on does not change which requests fail.
 */
export class ProviderState {
  options!: ResolvedProviderOptions;
  limiter: TokenBucket | undefined;
  tally = new ProviderTally();
  readonly faultRandom: Random;
  readonly latencyRandom: Random;

  constructor(
    readonly provider: ProviderName,
    seed: number,
    defaults: EmulatorProviderOptions | undefined,
    options: EmulatorProviderOptions | undefined,
    now: number,
  ) {
    this.faultRandom = createRandom(seedFromString(`${seed}:${provider}:faults`));
    this.latencyRandom = createRandom(seedFromString(`${seed}:${provider}:latency`));
    this.configure(defaults, options, now);
  }

  /** Replaces the options (merged over the defaults) and starts a fresh, full rate-limit bucket. */
  configure(defaults: EmulatorProviderOptions | undefined, options: EmulatorProviderOptions | undefined, now: number): void {
    const merged = mergeProviderOptions(defaults, options);
    checkProviderOptions(merged, this.provider);
    this.limiter =
      merged.requestsPerSecond === undefined
        ? undefined
        : new TokenBucket({ requestsPerSecond: merged.requestsPerSecond, burst: merged.burst }, now);
    this.options = {
      latency: merged.latency,
      faults: merged.faults ?? {},
      authFailure: merged.authFailure ?? false,
      strict: merged.strict ?? true,
      toolCallFormat: merged.toolCallFormat ?? 'mixed',
      toolCallRate: merged.toolCallRate ?? DEFAULT_TOOL_CALL_RATE,
      injectedRetryAfterMs:
        merged.injectedRetryAfterMs ?? (merged.requestsPerSecond === undefined ? 1000 : Math.ceil(1000 / merged.requestsPerSecond)),
      streamChunkCharacters: Math.round(merged.streamChunkCharacters ?? DEFAULT_STREAM_CHUNK_CHARACTERS),
      firstChunkShare: merged.latency?.firstChunkShare ?? DEFAULT_FIRST_CHUNK_SHARE,
    };
  }
}
