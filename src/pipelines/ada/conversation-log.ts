import type { ChatResult, ModelRole, ProviderName } from '../../core/types.js';
import type { AdaDiscardReason } from './ada-discard-reasons.js';
import type { SavedMessage, ToolCallRecord } from '../../format/index.js';
import { ADA_ROLE_NAMES } from './ada-roles.js';

/** Who wrote a message. */
export interface MessageSource {
  readonly provider: ProviderName;
  readonly model: string;
}

export interface RetryRecord {
  readonly step: string;
  readonly reason: AdaDiscardReason;
  readonly detail: string;
}

export interface RewriteRecord {
  readonly messageIndex: number;
  readonly blocks: number;
  readonly provider: ProviderName;
  readonly model: string;
}

/**
 * Everything one conversation accumulates: the saved messages and, aligned with them, who wrote
 * each; tool calls; usage over every request (retried ones included: they were paid for).
 */
export class ConversationLog {
  readonly messages: SavedMessage[] = [];
  readonly sources: (MessageSource | null)[] = [];
  readonly toolCalls: ToolCallRecord[] = [];
  readonly retries: RetryRecord[] = [];
  readonly rewrites: RewriteRecord[] = [];
  readonly providers: ProviderName[] = [];
  /** Requests per role, every one of Ada's roles listed (0 when unused), in the order she declares them. */
  readonly requests: Record<ModelRole, number> = Object.fromEntries(ADA_ROLE_NAMES.map((role) => [role, 0]));
  inputTokens = 0;
  outputTokens = 0;
  /** Each rewritten message as Ada first wrote it, by index: what the judge checks the rewrite against. */
  readonly originals = new Map<number, string>();
  /** The step asking a model now (`assistant reply 2`): a reject names it as the one that failed. */
  currentStep: string | undefined;

  /** Appends a message and returns its index in `conversations`. */
  append(message: SavedMessage, source: MessageSource | null): number {
    this.messages.push(message);
    this.sources.push(source);
    return this.messages.length - 1;
  }

  replaceContent(index: number, content: string): void {
    const message = this.messages[index];
    if (message === undefined) throw new RangeError(`No message at index ${index}`);
    this.messages[index] = { role: message.role, content };
  }

  /** Counts one answered request (accepted or not). */
  countRequest(role: ModelRole, result: ChatResult): void {
    this.requests[role] = (this.requests[role] ?? 0) + 1;
    this.inputTokens += result.usage.inputTokens;
    this.outputTokens += result.usage.outputTokens;
    if (!this.providers.includes(result.provider)) this.providers.push(result.provider);
  }
}

export function sourceOf(result: ChatResult): MessageSource {
  return { provider: result.provider, model: result.model };
}
