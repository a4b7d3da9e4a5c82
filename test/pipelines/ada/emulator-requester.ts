/**
 * Test-only `ModelRequester`: maps a role request to a `ChatRequest` for the model named after
 * the role (`emulator-tester`, ...) and sends it with a real provider adapter (real SDK, real
 * HTTP) to the emulator. The dispatcher is not involved: no retries, no failover.
 */
import type { ChatResult, ModelRequester, ProviderType, ProviderSwitch, RoleRequest, WireMessage } from '../../../src/core/types.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { createProvider } from '../../../src/providers/create-provider.js';

export interface RecordedRequest {
  readonly role: RoleRequest['role'];
  readonly messages: readonly WireMessage[];
}

export interface EmulatorRequester extends ModelRequester {
  /** Every request sent, in order, exactly as shaped by the pipeline. */
  readonly sent: RecordedRequest[];
  /** Every reply received, in order, exactly as the model wrote it. */
  readonly received: { readonly role: RoleRequest['role']; readonly text: string }[];
}

export function createEmulatorRequester(
  emulator: Emulator,
  provider: ProviderType = 'together',
  /**
   * Runs before each request; may switch faults on at a chosen step, or answer in place of the
   * emulator by returning a text (e.g. to make the tester say something specific).
   */
  beforeRequest?: (request: RoleRequest, sent: readonly RecordedRequest[]) => string | undefined | void,
): EmulatorRequester {
  const adapter = createProvider(provider, { apiKey: 'test-key-not-secret', baseUrl: emulator.baseUrls[provider] });
  const sent: RecordedRequest[] = [];
  const received: { role: RoleRequest['role']; text: string }[] = [];
  const switches: ProviderSwitch[] = [];
  return {
    sent,
    received,
    switches,
    async complete(request: RoleRequest): Promise<ChatResult> {
      const answer = beforeRequest?.(request, sent);
      sent.push({ role: request.role, messages: request.messages });
      const result: ChatResult =
        typeof answer === 'string'
          ? { text: answer, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 0, provider, model: `scripted-${request.role}` }
          : await adapter.complete({
              model: `emulator-${request.role}`,
              messages: request.messages,
              temperature: request.temperature,
              topP: request.topP,
              maxTokens: request.maxTokens,
              stop: request.stop,
              signal: request.signal,
            });
      received.push({ role: request.role, text: result.text });
      return result;
    },
  };
}
