/**
 * Collects a conversation's annotations (`generate --annotate`, format in
 * `src/format/annotations.ts`) as its messages are made; a pipeline asks for one only when the
 * flag is on, so a run without it allocates nothing per request.
 */
import type { ChatResult, ModelRequester, RoleRequest } from '../core/types.js';
import type { AnnotatedRequest, ConversationAnnotations, MessageAnnotation, SavedMessage } from '../format/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class AnnotationRecorder {
  readonly #systemPrompts: string[] = [];
  readonly #systemPromptIndex = new Map<string, number>();
  readonly #messages = new Map<number, Mutable<MessageAnnotation>>();

  /**
   * The request behind `result`, as the dispatcher recorded it for rejects (`ModelRequester.steps`:
   * the instance that answered and the configured model), or from the reply when the requester
   * keeps no steps. Requests of one conversation are sequential, so its last step is this one;
   * the messages are compared by identity to be sure.
   */
  describe(requester: ModelRequester, request: RoleRequest, result: ChatResult): AnnotatedRequest {
    const step = requester.steps?.at(-1);
    const recorded = step !== undefined && step.request === request.messages && step.model !== '' ? step : undefined;
    const { role, messages, signal: _signal, ...sampling } = request;
    const first = messages[0];
    const system = first?.role === 'system' ? this.#systemPromptNumber(first.content) : undefined;
    return {
      role,
      provider: recorded?.provider ?? result.provider,
      model: recorded?.model ?? result.model,
      sampling: Object.fromEntries(Object.entries(sampling).filter(([, value]) => value !== undefined)),
      ...(system === undefined ? {} : { systemPrompt: system }),
      request: (system === undefined ? messages : messages.slice(1)).map(({ role: messageRole, content }) => ({ role: messageRole, content })),
    };
  }

  /** `message`, at `messageIndex` of `conversations`, is the reply to `prompt`. */
  annotate(messageIndex: number, message: SavedMessage, prompt: AnnotatedRequest): void {
    this.#messages.set(messageIndex, { messageIndex, role: message.role, prompt });
  }

  /** The rewriter replaced the reasoning of the message at `messageIndex`; `originalThinking` is what it replaced. */
  rewrote(messageIndex: number, originalThinking: string, prompts: readonly AnnotatedRequest[]): void {
    const annotation = this.#messages.get(messageIndex);
    // Only generated messages are rewritten, and each was annotated when it was made.
    if (annotation === undefined) throw new RangeError(`No annotation for message ${messageIndex} to add its rewrite to`);
    annotation.originalThinking = originalThinking;
    annotation.rewritePrompts = [...prompts];
  }

  /** What the saved line carries, messages in their order in `conversations`. */
  toSaved(): ConversationAnnotations {
    return {
      systemPrompts: [...this.#systemPrompts],
      messages: [...this.#messages.values()].sort((a, b) => a.messageIndex - b.messageIndex),
    };
  }

  #systemPromptNumber(text: string): number {
    let index = this.#systemPromptIndex.get(text);
    if (index === undefined) {
      index = this.#systemPrompts.push(text) - 1;
      this.#systemPromptIndex.set(text, index);
    }
    return index;
  }
}
