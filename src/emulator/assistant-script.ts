import { pick, type Random } from '../core/random.js';
import type { ToolCallFormat } from './emulator-options.js';
import {
  CONTINUATION_ASSESSMENT,
  CONTINUATION_REASONING,
  CONTINUATION_REPLIES,
  FALLBACK_WORDS,
  REPLIES,
  REPLY_REASONING,
  TOOL_INTRODUCTIONS,
  TOOL_REASONING,
  type ContinuationKind,
} from './assistant-phrases.js';
import type { ScriptContext } from './script-context.js';
import { deriveFact } from './derive-fact.js';
import { clip, contentWords, fill, visibleText } from './script-text.js';
import { renderToolCalls, TOOL_CALL_FORMATS, type ScriptedToolCall } from './tool-call-formats.js';

export interface AssistantScriptOptions {
  readonly toolCallFormat: ToolCallFormat | 'mixed';
  readonly toolCallRate: number;
}

const TOOL_RESPONSE = /<tool_response>([\s\S]*?)(?:<\/tool_response>|$)/i;
const FAILED_RESULT = /error|unknown|invalid|failed|could not/i;
const EMPTY_RESULT = /\bno (?:memories|diary|entries)|\bempty\b|nothing (?:saved|stored|yet)/i;
const LISTING_RESULT = /^\s*\d+[.)]/m;
const RECALL_DIARY_REQUEST = /diary|journal/i;
const DIARY_READ_REQUEST = /\bwhat did i (?:write|say|put)\b|\b(?:read|show)\b|\bwhat(?:'s| is) in\b/i;
const RECALL_REQUEST = /told you|remember what|do you remember|what did i|earlier|before\?/i;
const FORGET_REQUEST = /\bforget\b|not true anymore|\bdelete\b/i;
const REMEMBER_REQUEST = /\bremember (?:that|this)\b|\bnote that\b/i;


/** Ada's reply: a continuation after a tool result, a reply with tool calls, or a plain reply. */
export function assistantReply(random: Random, context: ScriptContext, options: AssistantScriptOptions): string {
  const last = context.messages[context.messages.length - 1];
  const toolResult = TOOL_RESPONSE.exec(context.lastUserText)?.[1] ?? (last?.role === 'tool' ? context.lastUserText : undefined);
  if (toolResult !== undefined) return continuation(random, toolResult);
  const words = contentWords(visibleText(context.lastUserText));
  // Asked outright to remember, recall or write in the diary, Ada uses her tools unless told never to.
  const draw = random();
  const callsTools = draw < options.toolCallRate || (options.toolCallRate > 0 && asksForTool(context.lastUserText));
  if (callsTools) {
    const calls = chooseToolCalls(random, context.lastUserText, words);
    const format = options.toolCallFormat === 'mixed' ? pick(random, TOOL_CALL_FORMATS) : options.toolCallFormat;
    return toolCallReply(random, calls, format, context.lastUserText);
  }
  return plainReply(random, words);
}

function asksForTool(userText: string): boolean {
  const text = visibleText(userText);
  return RECALL_DIARY_REQUEST.test(text) || FORGET_REQUEST.test(text) || RECALL_REQUEST.test(text) || REMEMBER_REQUEST.test(text);
}

function chooseToolCalls(random: Random, userText: string, words: readonly string[]): ScriptedToolCall[] {
  const text = visibleText(userText);
  if (RECALL_DIARY_REQUEST.test(text)) {
    if (DIARY_READ_REQUEST.test(text)) return [{ name: 'recall_diary', arguments: {} }];
    return [{ name: 'add_diary', arguments: { input_text: [diaryEntry(text, words)] } }];
  }
  if (FORGET_REQUEST.test(text) || random() < 0.05) {
    const remove: ScriptedToolCall = { name: 'delete_memory', arguments: { indices: [1] } };
    return random() < 0.5 ? [remove] : [{ name: 'recall_memories', arguments: {} }, remove];
  }
  if (RECALL_REQUEST.test(text)) return [{ name: 'recall_memories', arguments: {} }];
  const calls: ScriptedToolCall[] = [{ name: 'add_memory', arguments: { input_text: [deriveFact(text, words)] } }];
  const extra = random();
  if (extra < 0.15) calls.push({ name: 'add_diary', arguments: { input_text: [diaryEntry(text, words)] } });
  else if (extra < 0.3) calls.unshift({ name: 'recall_memories', arguments: {} });
  return calls;
}

function diaryEntry(text: string, words: readonly string[]): string {
  const fact = deriveFact(text, words);
  return fact.startsWith('The user asked') ? `Talked with the user about ${words[0] ?? 'their day'}.` : `${fact}.`;
}

function toolCallReply(random: Random, calls: readonly ScriptedToolCall[], format: ToolCallFormat, userText: string): string {
  const main = calls[calls.length - 1] as ScriptedToolCall;
  const fact = main.name === 'add_memory' ? String((main.arguments.input_text as readonly string[])[0] ?? '') : '';
  const reasoning = fill(TOOL_REASONING[main.name] ?? '', [fact || clip(userText, 60)]);
  const introduction = pick(random, TOOL_INTRODUCTIONS[main.name] ?? ['One moment.']);
  return `<think>${reasoning}</think>\n${introduction}\n${renderToolCalls(calls, format)}`;
}

function plainReply(random: Random, words: readonly string[]): string {
  const first = words[0] ?? pick(random, FALLBACK_WORDS);
  const second = words.length > 1 ? pick(random, words.slice(1)) : pick(random, FALLBACK_WORDS);
  const values = [first, second];
  return `<think>${fill(pick(random, REPLY_REASONING), values)}</think>\n${fill(pick(random, REPLIES), values)}`;
}

function continuation(random: Random, toolResult: string): string {
  const kind = continuationKind(toolResult);
  const summary = clip(toolResult, 120);
  const reasoning = fill(pick(random, CONTINUATION_REASONING), [summary, CONTINUATION_ASSESSMENT[kind]]);
  return `<think>${reasoning}</think>\n${fill(pick(random, CONTINUATION_REPLIES[kind]), [summary])}`;
}

function continuationKind(toolResult: string): ContinuationKind {
  if (FAILED_RESULT.test(toolResult)) return 'failed';
  if (EMPTY_RESULT.test(toolResult)) return 'empty';
  if (LISTING_RESULT.test(toolResult)) return 'listing';
  return 'done';
}
