import { createRedactor } from '../core/redact.js';
import type { ChatRequest, ChatResult, ProviderName, ProviderType } from '../core/types.js';
import type { NormalizedReply } from './assemble-reply.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';
import { createRequestSignal } from './request-signal.js';
import { toProviderError } from './to-provider-error.js';
import type { ProviderConnection } from './provider-connection.js';
import { watchFetch, type Fetch } from './watched-fetch.js';

export interface CallContext {
  /** The instance: what replies and errors are labelled with. */
  readonly provider: ProviderName;
  /** The adapter's type: whose rate-limit header names to read. */
  readonly type: ProviderType;
  /** Removes the provider's key from error messages and bodies; built once per adapter. */
  readonly redact: (text: string) => string;
  /** @default performance.now */
  readonly now?: () => number;
  /** ProviderConnection.onResponse. */
  readonly onResponse?: (response: Response) => void;
  /** The base URL, named in network errors. */
  readonly url?: string;
}

/** An adapter's context, built once at construction. */
export function createCallContext(type: ProviderType, connection: ProviderConnection): CallContext {
  return { provider: connection.name ?? type, type, redact: createRedactor([connection.apiKey]), now: connection.now, onResponse: connection.onResponse, url: connection.baseUrl };
}

/** What an adapter gets for one HTTP exchange. */
export interface AdapterTools {
  /** Aborts at the caller's abort, the outer deadline, or a silence longer than the request allows. */
  readonly signal: AbortSignal;
  /** The fetch to give the SDK for this request: it observes the response and watches its body. */
  readonly fetch: Fetch;
  /** Characters of the request's messages, for a usage estimate when the provider reports none. */
  readonly promptCharacters: number;
}

export type AdapterCall = (tools: AdapterTools) => Promise<NormalizedReply>;

/**
 * The part every adapter shares: one abort signal per request carrying the outer deadline and the
 * silence limits (no first byte, a stalled stream), the HTTP response kept for the error path,
 * latency and timings, and every failure turned into one ProviderError.
 */
export async function callProvider(context: CallContext, request: ChatRequest, call: AdapterCall): Promise<ChatResult> {
  const now = context.now ?? (() => performance.now());
  const requestSignal = createRequestSignal(request.signal, request, now);
  let response: Response | undefined;
  const watched = watchFetch(
    (observed) => {
      response = observed;
      context.onResponse?.(observed);
    },
    requestSignal.received,
    requestSignal.signal,
  );
  const started = now();
  try {
    const reply = await call({ signal: requestSignal.signal, fetch: watched.fetch, promptCharacters: promptCharacters(request) });
    const rateLimit = parseRateLimitHeaders(response?.headers, context.type);
    return {
      text: reply.text,
      finishReason: reply.finishReason,
      usage: reply.usage,
      latencyMs: now() - started,
      provider: context.provider,
      model: reply.model ?? request.model,
      firstByteMs: requestSignal.firstByteMs(),
      longestSilenceMs: requestSignal.longestSilenceMs(),
      ...(rateLimit === undefined ? {} : { rateLimit }),
    };
  } catch (error) {
    throw toProviderError(error, { provider: context.provider, type: context.type, redact: context.redact, requestSignal, response, url: context.url });
  } finally {
    requestSignal.dispose();
    watched.releaseBodies();
  }
}

function promptCharacters(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += message.content.length;
  return characters;
}
