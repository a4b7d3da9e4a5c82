import { MistralCore } from '@mistralai/mistralai/core.js';
import { chatStream } from '@mistralai/mistralai/funcs/chatStream.js';
import { HTTPClient } from '@mistralai/mistralai/lib/http.js';
import { unwrapAsync } from '@mistralai/mistralai/types/fp.js';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName } from '../core/types.js';
import { assembleReply } from './assemble-reply.js';
import { callProvider, createCallContext, type CallContext } from './call-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { readMistralChunk } from './read-mistral-chunk.js';

/**
 * `@mistralai/mistralai`, streaming (`chat.stream`; usage comes on the last chunk). Retries are
 * off (`strategy: 'none'`): the dispatcher owns retrying. The SDK takes camelCase fields
 * (`maxTokens`, `topP`); snake_case ones are silently dropped. `serverURL` is the server root; the SDK
 * appends `/v1/chat/completions`. Its fetch is set per client only (an `HTTPClient` fetcher), so
 * each request gets a client of its own around its watched fetch: about 20 µs, far below a request.
 * The SDK's standalone function (`MistralCore` + `chatStream`, what `client.chat.stream` calls,
 * unwrapped the same way) spares loading the SDK's other endpoints: a third less start-up CPU.
 */
export class MistralProvider implements ChatProvider {
  readonly type = 'mistral' as const;
  /** The instance it serves (its type unless the connection names one). */
  readonly name: ProviderName;
  readonly #connection: ProviderConnection;
  readonly #context: CallContext;

  constructor(connection: ProviderConnection) {
    this.#connection = connection;
    this.#context = createCallContext(this.type, connection);
    this.name = this.#context.provider;
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return callProvider(this.#context, request, async ({ signal, fetch, promptCharacters }) => {
      const client = new MistralCore({
        apiKey: this.#connection.apiKey,
        serverURL: this.#connection.baseUrl,
        retryConfig: { strategy: 'none' },
        httpClient: new HTTPClient({ fetcher: fetch }),
      });
      const stream = await unwrapAsync(
        chatStream(
          client,
          {
            model: request.model,
            messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
            temperature: request.temperature,
            topP: request.topP,
            maxTokens: request.maxTokens,
            stop: request.stop ? [...request.stop] : undefined,
          },
          { signal, retries: { strategy: 'none' } },
        ),
      );
      return assembleReply(stream, (event) => readMistralChunk(event.data), { provider: this.name, promptCharacters });
    });
  }
}
