/**
 * Collects a conversation's annotations (`generate --annotate`, format in
 * `src/format/annotations.ts`) as its messages are made; a pipeline asks for one only when the
 * flag is on, so a run without it allocates nothing per request.
 */
import type { ChatResult, ModelRequester, RoleRequest, WireMessage } from '../core/types.js';
import type { AnnotatedRequest, ConversationAnnotations, MessageAnnotation, SavedMessage } from '../format/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One request as `--annotate` keeps it, before its system prompt joins the line's table. */
export interface RecordedRequest {
  readonly role: string;
  readonly provider: string;
  readonly model: string;
  readonly sampling: Readonly<Record<string, unknown>>;
  readonly messages: readonly WireMessage[];
}

/**
 * The request behind `result`, as the dispatcher recorded it for rejects (`ModelRequester.steps`:
 * the instance that answered and the configured model), or from the reply when the requester
 * keeps no steps. The step is the latest whose messages are this request's own array (compared by
 * identity): a conversation may have several requests out at once (its rewrites). Sampling is whatever the request set beside its
 * messages (`temperature`, `maxTokens`, …), so a new setting is kept without a change here.
 */
export function recordRequest(requester: ModelRequester, request: RoleRequest, result: ChatResult): RecordedRequest {
  const step = requester.steps?.findLast((candidate) => candidate.request === request.messages);
  const recorded = step !== undefined && step.model !== '' ? step : undefined;
  const { role, messages, signal: _signal, ...sampling } = request;
  return {
    role,
    provider: recorded?.provider ?? result.provider,
    model: recorded?.model ?? result.model,
    sampling: Object.fromEntries(Object.entries(sampling).filter(([, value]) => value !== undefined)),
    messages,
  };
}

export class AnnotationRecorder {
  readonly #systemPrompts: string[] = [];
  readonly #systemPromptIndex = new Map<string, number>();
  readonly #messages = new Map<number, Mutable<MessageAnnotation>>();

  /** `message`, at `messageIndex` of `conversations`, is the reply to `request`. */
  annotate(messageIndex: number, message: SavedMessage, request: RecordedRequest): void {
    this.#messages.set(messageIndex, { messageIndex, role: message.role, prompt: this.#annotated(request) });
  }

  /** The rewriter replaced the reasoning of the message at `messageIndex`; `originalThinking` is what it replaced. */
  rewrote(messageIndex: number, originalThinking: string, requests: readonly RecordedRequest[]): void {
    const annotation = this.#messages.get(messageIndex);
    // Only generated messages are rewritten, and each was annotated when it was made.
    if (annotation === undefined) throw new RangeError(`No annotation for message ${messageIndex} to add its rewrite to`);
    annotation.originalThinking = originalThinking;
    annotation.rewritePrompts = requests.map((request) => this.#annotated(request));
  }

  /** What the saved line carries, messages in their order in `conversations`. */
  toSaved(): ConversationAnnotations {
    return {
      systemPrompts: [...this.#systemPrompts],
      messages: [...this.#messages.values()].sort((a, b) => a.messageIndex - b.messageIndex),
    };
  }

  /** The request with its system prompt moved to the line's table. */
  #annotated(request: RecordedRequest): AnnotatedRequest {
    const first = request.messages[0];
    const system = first?.role === 'system' ? this.#systemPromptNumber(first.content) : undefined;
    const rest = system === undefined ? request.messages : request.messages.slice(1);
    return {
      role: request.role,
      provider: request.provider,
      model: request.model,
      sampling: { ...request.sampling },
      ...(system === undefined ? {} : { systemPrompt: system }),
      request: rest.map(({ role, content }) => ({ role, content })),
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

/**
 * A requester that remembers the last request of each role it passed on, for a pipeline whose
 * steps call the requester directly (self-play): the steps stay as they are, and the pipeline
 * reads what produced each message afterwards.
 */
export class RecordingRequester implements ModelRequester {
  readonly #inner: ModelRequester;
  readonly #last = new Map<string, RecordedRequest>();

  constructor(inner: ModelRequester) {
    this.#inner = inner;
  }

  get switches(): ModelRequester['switches'] {
    return this.#inner.switches;
  }

  get steps(): ModelRequester['steps'] {
    return this.#inner.steps;
  }

  async complete(request: RoleRequest): Promise<ChatResult> {
    const result = await this.#inner.complete(request);
    this.#last.set(request.role, recordRequest(this.#inner, request, result));
    return result;
  }

  /** The last answered request of `role`, if one was made. */
  last(role: string): RecordedRequest | undefined {
    return this.#last.get(role);
  }
}
