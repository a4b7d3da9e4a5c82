import { findThinkRegions, readToolCalls, visibleReply, type SavedConversation } from '../format/index.js';

/** A tool call and the result it got, side by side. */
export interface CallView {
  readonly name: string;
  /** The arguments as compact JSON. */
  readonly arguments: string;
  /** The `tool` message that answered it; absent when the conversation holds none. */
  readonly result?: string;
  readonly ok?: boolean;
}

export interface MessageView {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  /** What the other side reads: no reasoning, no call markup. */
  readonly text: string;
  /** Each `<think>` region's reasoning, folded on the page. */
  readonly reasoning: readonly string[];
  readonly calls: readonly CallView[];
}

/** A saved conversation in the shape the page renders. */
export interface ConversationView {
  readonly id: string;
  readonly createdAt: string | null;
  readonly providers: readonly string[];
  readonly label: boolean | null;
  readonly issueCodes: readonly string[];
  readonly messages: readonly MessageView[];
}

/** Long texts are cut: the page shows a glance, the file keeps everything. */
const MAX_TEXT = 4000;
const MAX_SYSTEM_TEXT = 600;

/**
 * Turns a saved line into what a person reads: roles in order, reasoning apart (folded), each
 * tool call paired with its result through `metadata.toolCalls` (whose `resultIndex` says which
 * `tool` message answered it); a `tool` message no record claims stays where it is.
 */
export function viewConversation(conversation: SavedConversation): ConversationView {
  const records = readToolCalls(conversation) ?? [];
  const paired = new Set(records.map((record) => record.resultIndex));
  const messages: MessageView[] = [];
  conversation.conversations.forEach((message, index) => {
    if (message.role === 'tool' && paired.has(index)) return;
    if (message.role !== 'assistant') {
      messages.push({ role: message.role, text: cut(message.content, message.role === 'system' ? MAX_SYSTEM_TEXT : MAX_TEXT), reasoning: [], calls: [] });
      return;
    }
    const reasoning = findThinkRegions(message.content).map((region) => cut(message.content.slice(region.innerStart, region.innerEnd).trim(), MAX_TEXT));
    const calls = records
      .filter((record) => record.messageIndex === index)
      .map((record): CallView => {
        const result = conversation.conversations[record.resultIndex]?.content;
        return {
          name: record.name,
          arguments: cut(JSON.stringify(record.arguments ?? null), MAX_TEXT),
          ...(result === undefined ? {} : { result: cut(result, MAX_TEXT) }),
          ...(record.ok === undefined ? {} : { ok: record.ok }),
        };
      });
    messages.push({ role: 'assistant', text: cut(visibleReply(message.content), MAX_TEXT), reasoning, calls });
  });
  const metadata = conversation.metadata;
  return {
    id: conversation.id,
    createdAt: typeof metadata['createdAt'] === 'string' ? metadata['createdAt'] : null,
    providers: Array.isArray(metadata['providers']) ? metadata['providers'].filter((name): name is string => typeof name === 'string') : [],
    label: conversation.label ?? null,
    issueCodes: (conversation.report?.issues ?? []).map((issue) => issue.code),
    messages,
  };
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
