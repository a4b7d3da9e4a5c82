import Together from 'together-ai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import type { CallContext } from './call-provider.js';
import { callOpenAiShaped } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';
import { createRedactor } from '../core/redact.js';

/** The SDK's own timeout is a backstop far beyond ours; our RequestSignal is the real deadline. */
const SDK_TIMEOUT_MS = 30 * 60_000;

/**
 * `together-ai`. `maxRetries: 0`: by default it retries twice and sleeps through Retry-After
 * ignoring abort. `baseURL` ends in `/v1`.
 */
export class TogetherProvider implements ChatProvider {
  readonly name = 'together' as const;
  readonly #client: Together;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new Together({ apiKey: connection.apiKey, baseURL: connection.baseUrl, maxRetries: 0, timeout: SDK_TIMEOUT_MS });
    this.#context = { provider: this.name, redact: createRedactor([connection.apiKey]), now: connection.now, url: connection.baseUrl };
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callOpenAiShaped(this.#context, request, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
