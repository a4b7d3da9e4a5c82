import Together from 'together-ai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import { createCallContext, type CallContext } from './call-provider.js';
import { callOpenAiShaped, routeFetch } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';

/** The SDK's own timeout (to the headers only) is a backstop far beyond ours; our RequestSignal is the real deadline. */
const SDK_TIMEOUT_MS = 30 * 60_000;

/**
 * `together-ai`, streaming. `maxRetries: 0`: by default it retries twice and sleeps through
 * Retry-After ignoring abort. `logLevel: 'off'`: it would print an unparseable chunk to the
 * console itself. `baseURL` ends in `/v1`. Together sends usage on the last chunk unasked.
 */
export class TogetherProvider implements ChatProvider {
  readonly name = 'together' as const;
  readonly #client: Together;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new Together({
      apiKey: connection.apiKey,
      baseURL: connection.baseUrl,
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      logLevel: 'off',
      fetch: routeFetch,
    });
    this.#context = createCallContext(this.name, connection);
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callOpenAiShaped(this.#context, request, false, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
