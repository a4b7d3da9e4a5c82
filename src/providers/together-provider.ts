import Together from 'together-ai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import { callProvider, malformedReply } from './call-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { normalizeOpenAiShapedReply } from './normalize-reply.js';

/** The SDK's own timeout is a backstop far beyond ours; our RequestSignal is the real deadline. */
const SDK_TIMEOUT_MS = 30 * 60_000;

/**
 * `together-ai`. `maxRetries: 0`: by default it retries twice and sleeps through Retry-After
 * ignoring abort. `baseURL` ends in `/v1`.
 */
export class TogetherProvider implements ChatProvider {
  readonly name = 'together' as const;
  readonly #client: Together;
  readonly #context;

  constructor(connection: ProviderConnection) {
    this.#client = new Together({ apiKey: connection.apiKey, baseURL: connection.baseUrl, maxRetries: 0, timeout: SDK_TIMEOUT_MS });
    this.#context = { provider: this.name, secrets: [connection.apiKey], now: connection.now };
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callProvider(this.#context, request, async (signal) => {
      const response = await this.#client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
          temperature: request.temperature,
          max_tokens: request.maxTokens,
          stop: request.stop ? [...request.stop] : undefined,
          stream: false,
        },
        { signal, maxRetries: 0 },
      );
      const checked = normalizeOpenAiShapedReply(response);
      if (!checked.ok) throw malformedReply(this.name, checked.problem);
      return checked.reply;
    });
  }
}
