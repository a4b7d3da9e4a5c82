import OpenAI from 'openai';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName } from '../core/types.js';
import { createCallContext, type CallContext } from './call-provider.js';
import { callOpenAiShaped, stainlessClientOptions } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';

/**
 * `openai` pointed at any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp,
 * OpenRouter), streaming with `stream_options.include_usage` (servers that ignore it get their
 * usage estimated), with the client options of every Stainless SDK (no retries, no console
 * logging). `baseURL` ends in `/v1`.
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  readonly type = 'openai_compatible' as const;
  /** The instance it serves (its type unless the connection names one). */
  readonly name: ProviderName;
  readonly #client: OpenAI;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new OpenAI(stainlessClientOptions(connection));
    this.#context = createCallContext(this.type, connection);
    this.name = this.#context.provider;
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callOpenAiShaped(this.#context, request, true, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
