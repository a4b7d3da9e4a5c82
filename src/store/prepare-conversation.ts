/**
 * What every export does to a conversation before formatting it: `--strip-thinking` (the reasoning
 * in replies and the instruction to reason in the system prompt), and `--system-prompt FILE` /
 * `--no-system-prompt`. Messages that move keep their tool calls: `metadata.toolCalls` indices are
 * renumbered with them.
 */
import type { SavedConversation, SavedMessage } from '../format/index.js';
import {
  restoreCallSyntax,
  mentionsThinkTags,
  readAnnotations,
  readThinkingInstruction,
  readToolCalls,
  removeThinkingInstruction,
  stripThinking,
} from '../format/index.js';

/** Keep the saved system prompt, replace it (inserting one where there was none), or drop it. */
export type SystemPromptChoice =
  | { readonly kind: 'keep' }
  | { readonly kind: 'replace'; readonly text: string }
  | { readonly kind: 'drop' };

export interface Preparation {
  /** Put back the call markup the model wrote (`metadata.toolCalls[i].original`). */
  readonly keepCallSyntax: boolean;
  readonly stripThinking: boolean;
  readonly systemPrompt: SystemPromptChoice;
}

export interface Prepared {
  readonly conversation: SavedConversation;
  /** With `stripThinking`: a kept system prompt still mentions `<think>` (no recorded instruction, or edited). */
  readonly thinkingInstructionLeft: boolean;
}

export function prepareConversation(saved: SavedConversation, preparation: Preparation): Prepared {
  const conversation = preparation.keepCallSyntax ? withCallsAsWritten(saved) : saved;
  const choice = preparation.systemPrompt;
  const { messages, thinkingInstructionLeft } = preparation.stripThinking
    ? withoutThinking(conversation, choice.kind === 'keep')
    : { messages: conversation.conversations, thinkingInstructionLeft: false };
  // Nothing moves when the prompt is kept: the metadata, tool calls included, goes on as saved.
  if (choice.kind === 'keep') return { conversation: { ...conversation, conversations: messages }, thinkingInstructionLeft };
  const placed = placeSystemPrompt(messages, choice);
  const annotations = conversation.annotations === undefined ? {} : { annotations: renumberAnnotations(conversation.annotations, placed.newIndex) };
  return {
    conversation: { ...conversation, conversations: placed.messages, metadata: renumberToolCalls(conversation, placed.newIndex), ...annotations },
    thinkingInstructionLeft,
  };
}

/** The reasoning out of every reply and, in a kept system prompt, the recorded instruction to reason. */
function withoutThinking(conversation: SavedConversation, keepSystemPrompt: boolean): { messages: readonly SavedMessage[]; thinkingInstructionLeft: boolean } {
  let thinkingInstructionLeft = false;
  const instruction = readThinkingInstruction(conversation);
  const messages = conversation.conversations.map((message): SavedMessage => {
    if (message.role === 'assistant') return { role: 'assistant', content: stripThinking(message.content) };
    if (message.role !== 'system' || !keepSystemPrompt) return message;
    const content = instruction === undefined ? message.content : (removeThinkingInstruction(message.content, instruction) ?? message.content);
    if (mentionsThinkTags(content)) thinkingInstructionLeft = true;
    return { role: 'system', content };
  });
  return { messages, thinkingInstructionLeft };
}

interface Placed {
  readonly messages: readonly SavedMessage[];
  /** Old message index -> new index; undefined for a dropped message. */
  readonly newIndex: (oldIndex: number) => number | undefined;
}

function placeSystemPrompt(messages: readonly SavedMessage[], choice: Exclude<SystemPromptChoice, { kind: 'keep' }>): Placed {
  const dropped = new Set(messages.flatMap((message, index) => (message.role === 'system' ? [index] : [])));
  const kept = messages.filter((message) => message.role !== 'system');
  const inserted = choice.kind === 'replace' ? 1 : 0;
  const newIndex = (index: number): number | undefined => {
    if (dropped.has(index)) return undefined;
    let before = 0;
    for (const removed of dropped) if (removed < index) before++;
    return index - before + inserted;
  };
  return { messages: choice.kind === 'replace' ? [{ role: 'system', content: choice.text }, ...kept] : kept, newIndex };
}

function renumberToolCalls(conversation: SavedConversation, newIndex: (oldIndex: number) => number | undefined): SavedConversation['metadata'] {
  const calls = readToolCalls(conversation);
  if (calls === undefined || calls.length === 0) return conversation.metadata;
  const renumbered = calls.map((call) => ({
    ...call,
    messageIndex: newIndex(call.messageIndex) ?? -1,
    resultIndex: newIndex(call.resultIndex) ?? -1,
  }));
  // A call on a dropped message cannot be placed; leaving the list malformed makes the exports fall back.
  return { ...conversation.metadata, toolCalls: renumbered };
}

/**
 * Annotations follow their messages when the system prompt moves; one on a dropped message goes
 * with it. Malformed ones are left as they are: nothing could be renumbered in them.
 */
function renumberAnnotations(saved: unknown, newIndex: (oldIndex: number) => number | undefined): unknown {
  const annotations = readAnnotations(saved);
  if (annotations === undefined) return saved;
  const messages = annotations.messages.flatMap((annotation) => {
    const messageIndex = newIndex(annotation.messageIndex);
    return messageIndex === undefined ? [] : [{ ...annotation, messageIndex }];
  });
  return { ...annotations, messages };
}

/** The conversation as the model wrote its calls: canonical markup replaced by the recorded original. */
function withCallsAsWritten(conversation: SavedConversation): SavedConversation {
  const calls = readToolCalls(conversation);
  if (calls === undefined || !calls.some((call) => call.original !== undefined && call.raw !== undefined)) return conversation;
  const conversations = conversation.conversations.map((message, index) => {
    const pairs = calls.flatMap((call) =>
      call.messageIndex === index && call.original !== undefined && call.raw !== undefined ? [{ canonical: call.raw, original: call.original }] : [],
    );
    return pairs.length === 0 ? message : { role: message.role, content: restoreCallSyntax(message.content, pairs) };
  });
  const toolCalls = calls.map(({ original, ...call }) => (original === undefined ? call : { ...call, raw: original }));
  return { ...conversation, conversations, metadata: { ...conversation.metadata, toolCalls } };
}
