import type { SavedConversation, SavedMessage } from '../format/index.js';
import { readToolCalls, removeRecordedMarkup, stripToolCallMarkup, type ToolCallRecord } from '../format/index.js';

/** A tool call as OpenAI chat fine-tuning expects it; `arguments` is a JSON string. */
export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type OpenAiMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content?: string; readonly tool_calls?: readonly OpenAiToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface OpenAiRecord {
  readonly messages: readonly OpenAiMessage[];
}

interface ToolCallMapping {
  /** Assistant message index -> the calls it made, in order. */
  readonly callsByMessage: ReadonlyMap<number, readonly OpenAiToolCall[]>;
  /** Tool message index -> the ids of the calls whose result it holds. */
  readonly callIdsByResult: ReadonlyMap<number, readonly string[]>;
  /** Assistant message index -> the markup its calls were parsed from; absent when a call lacks it. */
  readonly markupByMessage: ReadonlyMap<number, readonly string[]>;
}

/**
 * Chat fine-tuning JSONL (`{"messages": [...]}`) with native tool calls: the assistant message gets
 * `tool_calls` (its text without the call markup; no `content` when nothing is left) and each result
 * becomes `{"role":"tool","tool_call_id",...}`. Ids are `call_<messageIndex>_<n>`. When several
 * calls share one result message, each call gets a tool message with that same text.
 *
 * Without a usable `metadata.toolCalls` (absent, malformed, or pointing at the wrong messages), the
 * result falls back to the wire convention: tool messages become one `user` message of
 * `<tool_response>` blocks and the assistant text is kept as written.
 */
export function toOpenAiRecord(conversation: SavedConversation): OpenAiRecord {
  const messages = conversation.conversations;
  const mapping = mapToolCalls(messages, readToolCalls(conversation));
  return { messages: mapping === undefined ? withToolResponsesAsUser(messages) : withNativeToolCalls(messages, mapping) };
}

function mapToolCalls(
  messages: readonly SavedMessage[],
  calls: readonly ToolCallRecord[] | undefined,
): ToolCallMapping | undefined {
  const callsByMessage = new Map<number, OpenAiToolCall[]>();
  const callIdsByResult = new Map<number, string[]>();
  const markupByMessage = new Map<number, string[]>();
  const withoutMarkup = new Set<number>();
  for (const call of calls ?? []) {
    const caller = messages[call.messageIndex];
    const result = messages[call.resultIndex];
    if (caller?.role !== 'assistant' || result?.role !== 'tool' || call.resultIndex <= call.messageIndex) {
      return undefined;
    }
    const siblings = callsByMessage.get(call.messageIndex) ?? [];
    const id = `call_${call.messageIndex}_${siblings.length}`;
    siblings.push({ id, type: 'function', function: { name: call.name, arguments: serializeArguments(call.arguments) } });
    callsByMessage.set(call.messageIndex, siblings);
    callIdsByResult.set(call.resultIndex, [...(callIdsByResult.get(call.resultIndex) ?? []), id]);
    if (call.raw === undefined) withoutMarkup.add(call.messageIndex);
    else markupByMessage.set(call.messageIndex, [...(markupByMessage.get(call.messageIndex) ?? []), call.raw]);
  }
  for (const index of withoutMarkup) markupByMessage.delete(index);
  const everyResultMapped = messages.every((message, index) => message.role !== 'tool' || callIdsByResult.has(index));
  return everyResultMapped ? { callsByMessage, callIdsByResult, markupByMessage } : undefined;
}

function serializeArguments(value: unknown): string {
  if (typeof value === 'string') return value; // already JSON text, as some parsers record it
  return JSON.stringify(value ?? {});
}

function withNativeToolCalls(messages: readonly SavedMessage[], mapping: ToolCallMapping): OpenAiMessage[] {
  const result: OpenAiMessage[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      for (const id of mapping.callIdsByResult.get(index) ?? []) {
        result.push({ role: 'tool', tool_call_id: id, content: message.content });
      }
      return;
    }
    const toolCalls = message.role === 'assistant' ? mapping.callsByMessage.get(index) : undefined;
    if (toolCalls === undefined) {
      result.push({ role: message.role, content: message.content });
      return;
    }
    const content = replyWithoutCalls(message.content, mapping.markupByMessage.get(index));
    result.push(content.length > 0 ? { role: 'assistant', content, tool_calls: toolCalls } : { role: 'assistant', tool_calls: toolCalls });
  });
  return result;
}

/**
 * The reply without its call markup, or the calls would be taught twice (as text and as
 * `tool_calls`). The markup the pipeline recorded is exact; the pattern stripper is for older lines.
 */
function replyWithoutCalls(content: string, markup: readonly string[] | undefined): string {
  const removed = markup === undefined ? undefined : removeRecordedMarkup(content, markup);
  return removed ?? stripToolCallMarkup(content);
}

function withToolResponsesAsUser(messages: readonly SavedMessage[]): OpenAiMessage[] {
  const result: OpenAiMessage[] = [];
  let previousWasTool = false;
  for (const message of messages) {
    if (message.role !== 'tool') {
      result.push({ role: message.role, content: message.content });
      previousWasTool = false;
      continue;
    }
    const block = `<tool_response>\n${message.content}\n</tool_response>`;
    const previous = result.at(-1);
    if (previousWasTool && previous?.role === 'user') {
      result[result.length - 1] = { role: 'user', content: `${previous.content}\n${block}` };
    } else {
      result.push({ role: 'user', content: block });
    }
    previousWasTool = true;
  }
  return result;
}
