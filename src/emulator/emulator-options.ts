import type { ProviderType } from '../core/types.js';
import type { DefectKind, EmulatorDefects } from './defects.js';
import type { LimiterKind } from './rate-limiter.js';
import type { RateLimitHeaderStyle } from './rate-limit-response-headers.js';

/** Probabilities per request, each in [0, 1]. Transport faults are exclusive of one another. */
export interface EmulatorFaults {
  /**
   * Injected 429 (not from the rate limiter): the server is busy ("overloaded", Mistral's
   * "capacity exceeded"), with `Retry-After` headers. @default 0
   */
  readonly rate429?: number;
  /** @default 0 */
  readonly rate500?: number;
  /** @default 0 */
  readonly rate503?: number;
  /** A 200 `application/json` answer whose body is cut mid-JSON. @default 0 */
  readonly rateMalformed?: number;
  /** Never answers until the client aborts or the emulator closes. @default 0 */
  readonly rateHang?: number;
  /** Destroys the socket without any response. @default 0 */
  readonly rateReset?: number;
  /**
   * Stalls mid-answer: headers and the first half of the stream (of the body, when not streaming),
   * then silence until the client gives up or the emulator closes. @default 0
   */
  readonly rateStall?: number;
  /** The model answers with empty content. @default 0 */
  readonly rateEmptyReply?: number;
  /** The model's text is cut and `finish_reason` is `length`. @default 0 */
  readonly rateTruncated?: number;
  /** A tester reply leaks a `<think>` block or a `User:` role label (tester requests only). @default 0 */
  readonly rateTesterLeak?: number;
}

export type ToolCallFormat = 'hermes' | 'python' | 'mistral' | 'plain';

export interface EmulatorLatency {
  /** Median of the log-normal latency of a successful answer, in ms. */
  readonly medianMs: number;
  /** Spread of the underlying normal distribution. @default 0.35 */
  readonly sigma?: number;
  /**
   * A streamed answer's share of the latency spent before its first chunk (time to first token);
   * the other chunks follow at even gaps, the last one at the full latency. @default 0.25
   */
  readonly firstChunkShare?: number;
}

export interface EmulatorProviderOptions {
  /**
   * Enforced request rate; above it the answer is 429 with `Retry-After`. Independent of what the
   * client is configured with, so a wrong configured rate can be played. @default unlimited
   */
  readonly requestsPerSecond?: number;
  /**
   * How `requestsPerSecond` is enforced. `token-bucket`: a bucket of `burst` tokens, forgiving of
   * a client pacing exactly at the rate. `sliding-window`: requests counted on arrival in a strict
   * sliding one-second window (the (rate + 1)-th arrival within any 1000 ms is refused), as the
   * harshest gateways do. @default 'token-bucket'
   */
  readonly limiter?: LimiterKind;
  /**
   * Token bucket capacity. A one-second window, so a client pacing exactly at the rate never
   * sees a 429. @default max(1, ceil(requestsPerSecond))
   */
  readonly burst?: number;
  /**
   * Sliding window only: whether refused arrivals take a place in the window too (a counter
   * incremented before it is compared). @default true
   */
  readonly countRefused?: boolean;
  /**
   * Enforced tokens per minute (input + output of each answer, over a sliding minute); above it
   * the answer is 429 with `Retry-After`. @default unlimited
   */
  readonly tokensPerMinute?: number;
  /**
   * Send rate-limit headers with every answer: `true` in the provider's own style (Mistral:
   * tokens only; Together: per second; Hugging Face and OpenAI-compatible: OpenAI's, per minute),
   * or a style by name. @default false
   */
  readonly rateLimitHeaders?: boolean | RateLimitHeaderStyle;
  /** Seeded log-normal delay before answering. @default no delay */
  readonly latency?: EmulatorLatency;
  /** @default no faults */
  readonly faults?: EmulatorFaults;
  /** Bad training examples written on purpose, at these rates (see defects.ts). @default none */
  readonly defects?: EmulatorDefects;
  /** Every request is refused with 401 and the provider's error body. @default false */
  readonly authFailure?: boolean;
  /** Enforce the message-order rules real APIs and local open models enforce. @default true */
  readonly strict?: boolean;
  /** How the scripted assistant writes tool calls; `mixed` picks one per reply. @default 'mixed' */
  readonly toolCallFormat?: ToolCallFormat | 'mixed';
  /** Probability that the assistant's first answer to a user message calls tools. @default 0.6 */
  readonly toolCallRate?: number;
  /** Share of the self-play assistant's calls made wrong on purpose (unknown tool, bad arguments, missing context). @default 0.2 */
  readonly wrongCallRate?: number;
  /**
   * The wait an injected 429 asks for (`retry-after-ms`; `Retry-After` is this rounded up to whole
   * seconds). A real limiter answers "when the next slot frees", which under a rate limit is one
   * request interval away. @default 1000 / requestsPerSecond (rounded up), or 1000 without a limit
   */
  readonly injectedRetryAfterMs?: number;
  /**
   * Characters of the reply per streamed chunk (about four per token). Real APIs send one or a few
   * tokens per event; fewer, larger chunks cost the client less CPU. @default 16
   */
  readonly streamChunkCharacters?: number;
}

export interface EmulatorOptions {
  /** Seeds every random choice: faults, latency and the scripted model. @default 1 */
  readonly seed?: number;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Options every provider starts from. @default {} */
  readonly defaults?: EmulatorProviderOptions;
  /** Per-provider options, merged over `defaults` (faults merged field by field). @default {} */
  readonly providers?: Partial<Record<ProviderType, EmulatorProviderOptions>>;
}

export const INJECTED_KINDS = [
  '429',
  '500',
  '503',
  'malformed',
  'hang',
  'reset',
  'stall',
  'emptyReply',
  'truncated',
  'testerLeak',
] as const;
export type InjectedKind = (typeof INJECTED_KINDS)[number];

/** The sampling fields of one request as they arrived, under their wire names; a field the client did not send is absent. */
export interface ReceivedSampling {
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
}

export interface EmulatorProviderCounters {
  readonly requests: number;
  /** 200 answers with a well-formed body (injected model misbehaviour included), streamed or not. */
  readonly ok: number;
  /** Of those, the ones streamed as server-sent events (`stream: true`). */
  readonly streamed: number;
  /** 429s from the request rate limiter (injected 429s are under `injected`). */
  readonly rateLimited: number;
  /** 429s from the tokens-per-minute limit. */
  readonly tokenLimited: number;
  readonly injected: Readonly<Record<InjectedKind, number>>;
  /** Defects written on purpose (answers that were sent), by kind. */
  readonly defects: Readonly<Record<DefectKind, number>>;
  /** 400 answers: strict message rules, unreadable bodies. */
  readonly badRequests: number;
  /** The last few 400 messages, oldest first. */
  readonly badRequestMessages: readonly string[];
  readonly authFailures: number;
  /** Requests per role: Ada's three always, any other pipeline's once it asked. */
  readonly byRole: Readonly<Record<string, number>>;
  /**
   * Per role, each distinct sampling its requests carried, first seen first (a few kept per role):
   * what lets a test see that configured sampling reached the wire, whatever SDK sent it.
   */
  readonly samplingByRole: Readonly<Record<string, readonly ReceivedSampling[]>>;
  readonly tokens: { readonly input: number; readonly output: number };
  /** The last ~2000 arrival times in ms since the emulator started (monotonic), oldest first. */
  readonly arrivals: readonly number[];
}

export type EmulatorCounters = Readonly<Record<ProviderType, EmulatorProviderCounters>>;

export interface Emulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** What each SDK is configured with (serverURL / baseURL / endpointUrl). */
  readonly baseUrls: Readonly<Record<ProviderType, string>>;
  /** Replaces a provider's options (merged over the defaults) and refills its rate limiter. */
  configure(provider: ProviderType, options: EmulatorProviderOptions): void;
  counters(): EmulatorCounters;
  resetCounters(): void;
  /**
   * Answers held open now, hung or stalled, whose client has not hung up: a client that gives up
   * on a request without closing its socket shows here.
   */
  heldResponses(): number;
  /** Ends hung requests and open sockets, then stops listening. */
  close(): Promise<void>;
}

/** Merges a provider's options over the defaults; faults merge field by field. */
export function mergeProviderOptions(
  defaults: EmulatorProviderOptions | undefined,
  options: EmulatorProviderOptions | undefined,
): EmulatorProviderOptions {
  return {
    ...defaults,
    ...options,
    faults: { ...defaults?.faults, ...options?.faults },
    defects: { ...defaults?.defects, ...options?.defects },
  };
}
