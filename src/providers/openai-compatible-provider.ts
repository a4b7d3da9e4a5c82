import OpenAI from 'openai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import { createCallContext, type CallContext } from './call-provider.js';
import { callOpenAiShaped, routeFetch } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';

const SDK_TIMEOUT_MS = 30 * 60_000;

/**
 * `openai` pointed at any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp,
 * OpenRouter), streaming with `stream_options.include_usage` (servers that ignore it get their
 * usage estimated). `maxRetries: 0` and `logLevel: 'off'` for the same reasons as Together.
 * `baseURL` ends in `/v1`.
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  readonly name = 'openai_compatible' as const;
  readonly #client: OpenAI;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new OpenAI({
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
    return callOpenAiShaped(this.#context, request, true, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
