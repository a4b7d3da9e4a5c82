import type { SavedConversation, SavedMessage, ToolCallRecord, ToolSchema } from '../format/index.js';
import { readToolCalls, readToolSchemas, removeRecordedMarkup, stripToolCalls } from '../format/index.js';
import { createToolCallIds } from './tool-call-ids.js';

/** A tool call as OpenAI chat fine-tuning expects it: `arguments` is JSON text unless asked for objects. */
export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string | Readonly<Record<string, unknown>> };
}

export type OpenAiMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content?: string; readonly tool_calls?: readonly OpenAiToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface OpenAiRecord {
  readonly messages: readonly OpenAiMessage[];
  /** Every tool the conversation could call, and any other it did call. */
  readonly tools: readonly ToolSchema[];
}

export interface OpenAiOptions {
  /**
   * `arguments` as JSON objects rather than JSON text: chat templates (Qwen2.5, Llama 3.x, Mistral)
   * apply `tojson` to them, which would encode text a second time. @default false (OpenAI's shape)
   */
  readonly argumentsAsObjects?: boolean;
  /**
   * One call per assistant message (call, result, call, result), the reply's text in an assistant
   * message of its own before them: single-call templates (Llama 3.x) raise on parallel calls and
   * drop the text beside a call. @default false
   */
  readonly splitParallelCalls?: boolean;
  /** Declared for lines saved before `metadata.tools` existed. @default [] */
  readonly fallbackTools?: readonly ToolSchema[];
}

interface MappedCall {
  readonly call: OpenAiToolCall;
  readonly resultIndex: number;
}

interface ToolCallMapping {
  /** Assistant message index -> the calls it made, in order. */
  readonly callsByMessage: ReadonlyMap<number, readonly MappedCall[]>;
  /** Tool message index -> the ids of the calls whose result it holds. */
  readonly callIdsByResult: ReadonlyMap<number, readonly string[]>;
  /** Assistant message index -> the markup its calls were parsed from; absent when a call lacks it. */
  readonly markupByMessage: ReadonlyMap<number, readonly string[]>;
}

/**
 * Chat fine-tuning JSONL (`{"messages": [...], "tools": [...]}`, what OpenAI, TRL `SFTTrainer` and
 * Axolotl's `chat_template` read) with native tool calls: the assistant message gets `tool_calls`
 * (its text without the call markup; no `content` when nothing is left) and each result becomes
 * `{"role":"tool","tool_call_id",...}`. When several calls share one result message, each call gets
 * a tool message with that same text.
 *
 * Without a usable `metadata.toolCalls` (absent, malformed, or pointing at the wrong messages), the
 * result falls back to the wire convention: tool messages become one `user` message of
 * `<tool_response>` blocks and the assistant text is kept as written.
 */
export function toOpenAiRecord(conversation: SavedConversation, options: OpenAiOptions = {}): OpenAiRecord {
  const messages = conversation.conversations;
  const calls = readToolCalls(conversation);
  const mapping = mapToolCalls(messages, calls, createToolCallIds(conversation.id), options.argumentsAsObjects === true);
  const tools = declaredToolsOf(conversation, options.fallbackTools);
  if (mapping === undefined) return { messages: withToolResponsesAsUser(messages), tools };
  const native = options.splitParallelCalls === true ? withSplitToolCalls(messages, mapping) : withNativeToolCalls(messages, mapping);
  return { messages: native, tools };
}

/** The tools an example declares: those offered (`fallbackTools` for lines saved before `metadata.tools`), and any other it called. */
export function declaredToolsOf(conversation: SavedConversation, fallbackTools: readonly ToolSchema[] = []): ToolSchema[] {
  return declaredTools(readToolSchemas(conversation) ?? fallbackTools, readToolCalls(conversation) ?? []);
}

/** The offered tools, plus a declaration for any name called that was not offered (a model's slip). */
function declaredTools(offered: readonly ToolSchema[], calls: readonly ToolCallRecord[]): ToolSchema[] {
  const declared = [...offered];
  const names = new Set(offered.map((tool) => tool.function.name));
  for (const call of calls) {
    if (names.has(call.name)) continue;
    names.add(call.name);
    declared.push({
      type: 'function',
      function: { name: call.name, description: 'Not one of the tools offered; calling it fails.', parameters: { type: 'object', properties: {} } },
    });
  }
  return declared;
}

function mapToolCalls(
  messages: readonly SavedMessage[],
  calls: readonly ToolCallRecord[] | undefined,
  nextId: () => string,
  argumentsAsObjects: boolean,
): ToolCallMapping | undefined {
  const callsByMessage = new Map<number, MappedCall[]>();
  const callIdsByResult = new Map<number, string[]>();
  const markupByMessage = new Map<number, string[]>();
  const withoutMarkup = new Set<number>();
  for (const record of calls ?? []) {
    const caller = messages[record.messageIndex];
    const result = messages[record.resultIndex];
    if (caller?.role !== 'assistant' || result?.role !== 'tool' || record.resultIndex <= record.messageIndex) {
      return undefined;
    }
    const id = nextId();
    const argumentsValue = argumentsAsObjects ? argumentsAsObject(record.arguments) : argumentsAsText(record.arguments);
    const call: OpenAiToolCall = { id, type: 'function', function: { name: record.name, arguments: argumentsValue } };
    callsByMessage.set(record.messageIndex, [...(callsByMessage.get(record.messageIndex) ?? []), { call, resultIndex: record.resultIndex }]);
    callIdsByResult.set(record.resultIndex, [...(callIdsByResult.get(record.resultIndex) ?? []), id]);
    if (record.raw === undefined) withoutMarkup.add(record.messageIndex);
    else markupByMessage.set(record.messageIndex, [...(markupByMessage.get(record.messageIndex) ?? []), record.raw]);
  }
  for (const index of withoutMarkup) markupByMessage.delete(index);
  const everyResultMapped = messages.every((message, index) => message.role !== 'tool' || callIdsByResult.has(index));
  return everyResultMapped ? { callsByMessage, callIdsByResult, markupByMessage } : undefined;
}

/** Some parsers recorded arguments as JSON text; unreadable markup recorded null. */
function argumentsAsObject(value: unknown): Readonly<Record<string, unknown>> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function argumentsAsText(value: unknown): string {
  return JSON.stringify(argumentsAsObject(value));
}

function withNativeToolCalls(messages: readonly SavedMessage[], mapping: ToolCallMapping): OpenAiMessage[] {
  const result: OpenAiMessage[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      for (const id of mapping.callIdsByResult.get(index) ?? []) result.push({ role: 'tool', tool_call_id: id, content: message.content });
      return;
    }
    const calls = message.role === 'assistant' ? mapping.callsByMessage.get(index) : undefined;
    if (calls === undefined) {
      result.push({ role: message.role, content: message.content });
      return;
    }
    const content = replyWithoutCalls(message.content, mapping.markupByMessage.get(index));
    const toolCalls = calls.map(({ call }) => call);
    result.push(content.length > 0 ? { role: 'assistant', content, tool_calls: toolCalls } : { role: 'assistant', tool_calls: toolCalls });
  });
  return result;
}

/** Each call its own assistant message, its result right after it; results are placed by their call. */
function withSplitToolCalls(messages: readonly SavedMessage[], mapping: ToolCallMapping): OpenAiMessage[] {
  const result: OpenAiMessage[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'tool') return;
    const calls = message.role === 'assistant' ? mapping.callsByMessage.get(index) : undefined;
    if (calls === undefined) {
      result.push({ role: message.role, content: message.content });
      return;
    }
    const content = replyWithoutCalls(message.content, mapping.markupByMessage.get(index));
    if (content.length > 0) result.push({ role: 'assistant', content });
    for (const { call, resultIndex } of calls) {
      result.push({ role: 'assistant', tool_calls: [call] });
      result.push({ role: 'tool', tool_call_id: call.id, content: messages[resultIndex]?.content ?? '' });
    }
  });
  return result;
}

/**
 * The reply without its call markup, or the calls would be taught twice (as text and as
 * `tool_calls`). The markup the pipeline recorded is exact; the pattern stripper is for older lines.
 */
function replyWithoutCalls(content: string, markup: readonly string[] | undefined): string {
  const removed = markup === undefined ? undefined : removeRecordedMarkup(content, markup);
  return removed ?? stripToolCalls(content);
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
