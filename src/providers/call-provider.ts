import { ProviderError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ProviderName } from '../core/types.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';
import { createRequestSignal } from './request-signal.js';
import { toProviderError } from './to-provider-error.js';
import type { NormalizedReply } from './normalize-reply.js';

export interface CallContext {
  readonly provider: ProviderName;
  /** Removes the provider's key from error messages and bodies; built once per adapter. */
  readonly redact: (text: string) => string;
  /** @default performance.now */
  readonly now?: () => number;
}

/** What an adapter hands back for one HTTP exchange: the reply, and the response if it saw it. */
export type AdapterCall = (signal: AbortSignal, observe: (response: Response) => void) => Promise<NormalizedReply>;

/**
 * The part every adapter shares: one deadline and abort signal per request, latency, and every
 * failure (thrown or a reply without text) turned into one ProviderError.
 */
export async function callProvider(context: CallContext, request: ChatRequest, call: AdapterCall): Promise<ChatResult> {
  const now = context.now ?? (() => performance.now());
  const requestSignal = createRequestSignal(request.signal, request.timeoutMs);
  let response: Response | undefined;
  const started = now();
  try {
    const reply = await call(requestSignal.signal, (observed) => {
      response = observed;
    });
    const rateLimit = parseRateLimitHeaders(response?.headers, context.provider);
    return {
      text: reply.text,
      finishReason: reply.finishReason,
      usage: reply.usage,
      latencyMs: now() - started,
      provider: context.provider,
      model: reply.model ?? request.model,
      ...(rateLimit === undefined ? {} : { rateLimit }),
    };
  } catch (error) {
    throw toProviderError(error, { provider: context.provider, redact: context.redact, requestSignal, response });
  } finally {
    requestSignal.dispose();
  }
}

export function malformedReply(provider: ProviderName, detail: string): ProviderError {
  return new ProviderError(`${provider}: malformed reply: ${detail}`, { provider, kind: 'malformed' });
}
