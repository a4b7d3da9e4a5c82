import type { ChatRequest, ChatResult } from '../core/types.js';
import { assembleReply } from './assemble-reply.js';
import { callProvider, type CallContext } from './call-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { readOpenAiShapedChunk } from './read-chunk.js';
import type { Fetch } from './watched-fetch.js';

/** The SDK's own timeout (to the headers only) is a backstop far beyond ours; our RequestSignal is the real deadline. */
const SDK_TIMEOUT_MS = 30 * 60_000;

/** The body Together's and OpenAI's SDKs both take for a streaming chat completion. */
export interface OpenAiShapedBody {
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  stream: true;
  /** OpenAI sends usage only when asked, on an extra chunk before `[DONE]`. */
  stream_options?: { include_usage: true };
}

export interface OpenAiShapedOptions {
  signal: AbortSignal;
  maxRetries: 0;
  /** Carries only the request's own fetch, under a symbol the SDKs' types cannot name. */
  fetchOptions: Record<string, never>;
}

/**
 * The per-request fetch rides in `fetchOptions` under this key: Stainless SDKs take `fetch` only
 * per client, but spread `fetchOptions` into the init they hand that fetch, so `routeFetch`
 * finds it there. A symbol, so it can clash with no RequestInit field (fetch ignores it).
 */
const REQUEST_FETCH = Symbol('nightshift.requestFetch');

/** The client-level fetch of a Stainless SDK: each request's own watched fetch. */
const routeFetch: Fetch = (input, init) => {
  const own = (init as { [REQUEST_FETCH]?: Fetch } | undefined)?.[REQUEST_FETCH];
  return (own ?? fetch)(input, init);
};

/**
 * The client options both Stainless SDKs get. `maxRetries: 0`: by default they retry twice and
 * sleep through Retry-After ignoring abort. `logLevel: 'off'`: they would print an unparseable
 * chunk to the console themselves. `baseURL` ends in `/v1`.
 */
export function stainlessClientOptions(connection: ProviderConnection) {
  return {
    apiKey: connection.apiKey,
    baseURL: connection.baseUrl,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: 'off',
    fetch: routeFetch,
  } as const;
}

/**
 * One streamed call through a Stainless-generated SDK (`openai`, `together-ai`): same body, same
 * chunks. `includeUsage` asks for the usage chunk where the API needs asking (OpenAI).
 */
export function callOpenAiShaped(
  context: CallContext,
  request: ChatRequest,
  includeUsage: boolean,
  create: (body: OpenAiShapedBody, options: OpenAiShapedOptions) => Promise<AsyncIterable<unknown>>,
): Promise<ChatResult> {
  return callProvider(context, request, async ({ signal, fetch, promptCharacters }) => {
    const stream = await create(
      {
        model: request.model,
        messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
        temperature: request.temperature,
        top_p: request.topP,
        max_tokens: request.maxTokens,
        stop: request.stop ? [...request.stop] : undefined,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true as const } } : {}),
      },
      { signal, maxRetries: 0, fetchOptions: { [REQUEST_FETCH]: fetch } as unknown as Record<string, never> },
    );
    return assembleReply(stream, readOpenAiShapedChunk, { provider: context.provider, promptCharacters });
  });
}
