import type { ChatRequest, ChatResult } from '../core/types.js';
import { callProvider, malformedReply, type CallContext } from './call-provider.js';
import { normalizeOpenAiShapedReply } from './normalize-reply.js';

/** The body Together's and OpenAI's SDKs both take for a non-streaming chat completion. */
export interface OpenAiShapedBody {
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  temperature?: number;
  max_tokens?: number;
  stop?: string[];
  stream: false;
}

/** What the Stainless SDKs' `create` returns: a promise that can also hand over the raw HTTP response. */
export interface WithResponse {
  withResponse(): Promise<{ readonly data: unknown; readonly response: Response }>;
}

/**
 * One call through a Stainless-generated SDK (`openai`, `together-ai`): same body, same reply
 * shape. `withResponse()` hands over the HTTP response, so its rate-limit headers are read on
 * success too.
 */
export function callOpenAiShaped(
  context: CallContext,
  request: ChatRequest,
  create: (body: OpenAiShapedBody, options: { signal: AbortSignal; maxRetries: 0 }) => WithResponse,
): Promise<ChatResult> {
  return callProvider(context, request, async (signal, observe) => {
    const { data: response, response: httpResponse } = await create(
      {
        model: request.model,
        messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        stop: request.stop ? [...request.stop] : undefined,
        stream: false,
      },
      { signal, maxRetries: 0 },
    ).withResponse();
    observe(httpResponse);
    const checked = normalizeOpenAiShapedReply(response);
    if (!checked.ok) throw malformedReply(context.provider, checked.problem);
    return checked.reply;
  });
}
