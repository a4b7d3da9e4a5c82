import { chatCompletionStream } from '@huggingface/inference';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName } from '../core/types.js';
import { assembleReply } from './assemble-reply.js';
import { callProvider, createCallContext, type CallContext } from './call-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { readOpenAiShapedChunk } from './read-chunk.js';

/**
 * `@huggingface/inference` against an endpoint root (TGI's OpenAI-compatible Messages API; the SDK
 * appends `/v1/chat/completions`), streaming with `stream_options.include_usage` (TGI sends usage
 * only when asked). `retry_on_error: false`, or it re-sends a request that got a 503 in a tight
 * loop with no limit. Its errors carry no response headers; the watched fetch keeps the response
 * for Retry-After.
 */
export class HuggingFaceProvider implements ChatProvider {
  readonly type = 'huggingface' as const;
  /** The instance it serves (its type unless the connection names one). */
  readonly name: ProviderName;
  readonly #connection: ProviderConnection;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#connection = connection;
    this.#context = createCallContext(this.type, connection);
    this.name = this.#context.provider;
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callProvider(this.#context, request, ({ signal, fetch, promptCharacters }) => {
      const stream = chatCompletionStream(
        {
          accessToken: this.#connection.apiKey,
          endpointUrl: this.#connection.baseUrl,
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          temperature: request.temperature,
          top_p: request.topP,
          max_tokens: request.maxTokens,
          stop: request.stop ? [...request.stop] : undefined,
          stream_options: { include_usage: true },
        },
        { signal, retry_on_error: false, fetch },
      );
      return assembleReply(stream, readOpenAiShapedChunk, { provider: this.name, promptCharacters });
    });
  }
}
