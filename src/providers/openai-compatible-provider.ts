import OpenAI from 'openai';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';
import type { CallContext } from './call-provider.js';
import { callOpenAiShaped } from './openai-shaped-call.js';
import type { ProviderConnection } from './provider-connection.js';
import { createRedactor } from '../core/redact.js';

const SDK_TIMEOUT_MS = 30 * 60_000;

/**
 * `openai` pointed at any OpenAI-compatible server (LM Studio, Ollama, vLLM, llama.cpp,
 * OpenRouter). `maxRetries: 0` for the same reason as Together. `baseURL` ends in `/v1`.
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  readonly name = 'openai_compatible' as const;
  readonly #client: OpenAI;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#client = new OpenAI({ apiKey: connection.apiKey, baseURL: connection.baseUrl, maxRetries: 0, timeout: SDK_TIMEOUT_MS });
    this.#context = { provider: this.name, redact: createRedactor([connection.apiKey]), now: connection.now, url: connection.baseUrl };
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callOpenAiShaped(this.#context, request, (body, options) => this.#client.chat.completions.create(body, options));
  }
}
