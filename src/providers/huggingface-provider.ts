import { chatCompletion } from '@huggingface/inference';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import { callProvider, malformedReply } from './call-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { normalizeOpenAiShapedReply } from './normalize-reply.js';
import { createRedactor } from '../core/redact.js';

/**
 * `@huggingface/inference` against an endpoint root (TGI's OpenAI-compatible Messages API; the SDK
 * appends `/v1/chat/completions`). `retry_on_error: false`, or it re-sends a request that got a
 * 503 in a tight loop with no limit. Its errors carry no response headers, so a fetch wrapper
 * keeps the response for Retry-After.
 */
export class HuggingFaceProvider implements ChatProvider {
  readonly name = 'huggingface' as const;
  readonly #connection: ProviderConnection;
  readonly #context;

  constructor(connection: ProviderConnection) {
    this.#connection = connection;
    this.#context = { provider: this.name, redact: createRedactor([connection.apiKey]), now: connection.now, url: connection.baseUrl };
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callProvider(this.#context, request, async (signal, observe) => {
      const response = await chatCompletion(
        {
          accessToken: this.#connection.apiKey,
          endpointUrl: this.#connection.baseUrl,
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          temperature: request.temperature,
          max_tokens: request.maxTokens,
          stop: request.stop ? [...request.stop] : undefined,
        },
        {
          signal,
          retry_on_error: false,
          fetch: async (input, init) => {
            const fetched = await fetch(input, init);
            observe(fetched);
            return fetched;
          },
        },
      );
      const checked = normalizeOpenAiShapedReply(response);
      if (!checked.ok) throw malformedReply(this.name, checked.problem);
      return checked.reply;
    });
  }
}
