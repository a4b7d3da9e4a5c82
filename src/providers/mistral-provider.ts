import { Mistral } from '@mistralai/mistralai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import { callProvider, malformedReply } from './call-provider.js';
import { normalizeMistralReply } from './normalize-reply.js';
import type { ProviderConnection } from './provider-connection.js';
import { createRedactor } from '../core/redact.js';

/**
 * `@mistralai/mistralai`. Retries are off (`strategy: 'none'`): the dispatcher owns retrying.
 * The SDK takes camelCase fields (`maxTokens`); snake_case ones are silently dropped.
 * `serverURL` is the server root; the SDK appends `/v1/chat/completions`.
 */
export class MistralProvider implements ChatProvider {
  readonly name = 'mistral' as const;
  readonly #client: Mistral;
  readonly #context;

  constructor(connection: ProviderConnection) {
    this.#client = new Mistral({ apiKey: connection.apiKey, serverURL: connection.baseUrl, retryConfig: { strategy: 'none' } });
    this.#context = { provider: this.name, redact: createRedactor([connection.apiKey]), now: connection.now, url: connection.baseUrl };
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callProvider(this.#context, request, async (signal) => {
      const response = await this.#client.chat.complete(
        {
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          temperature: request.temperature,
          maxTokens: request.maxTokens,
          stop: request.stop ? [...request.stop] : undefined,
        },
        { signal, retries: { strategy: 'none' } },
      );
      const checked = normalizeMistralReply(response);
      if (!checked.ok) throw malformedReply(this.name, checked.problem);
      return checked.reply;
    });
  }
}
