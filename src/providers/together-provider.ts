import Together from 'together-ai';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName } from '../core/types.js';
import { createCallContext, type CallContext } from './call-provider.js';
import { callOpenAiShaped, stainlessClientOptions } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';

/**
 * `together-ai`, streaming, with the client options of every Stainless SDK (no retries, no
 * console logging). `baseURL` ends in `/v1`. Together sends usage on the last chunk unasked.
 */
export class TogetherProvider implements ChatProvider {
  readonly type = 'together' as const;
  /** The instance it serves (its type unless the connection names one). */
  readonly name: ProviderName;
  readonly #client: Together;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new Together(stainlessClientOptions(connection));
    this.#context = createCallContext(this.type, connection);
    this.name = this.#context.provider;
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callOpenAiShaped(this.#context, request, false, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
