import type { SavedConversation } from '../format/index.js';
import { formatToolResponses, separateReasoning } from '../format/index.js';

/** One message of the original Python tool's output: only these three roles. */
export interface OriginalJsonMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** One item of the original Python tool's output: a JSON array of these. */
export interface OriginalJsonRecord {
  readonly conversations: readonly OriginalJsonMessage[];
}

/**
 * The original tool's shape exactly: tool results are folded into one `user` turn of
 * `<tool_response>` blocks per run of results (as a Qwen/Hermes template renders them, and as the
 * model received them), and each reply reads `<think>…</think>\n\nreply`.
 */
export function toOriginalJsonRecord(conversation: SavedConversation): OriginalJsonRecord {
  const conversations: OriginalJsonMessage[] = [];
  const results: { content: string }[] = [];
  const flush = () => {
    if (results.length > 0) conversations.push({ role: 'user', content: formatToolResponses(results.splice(0)) });
  };
  for (const message of conversation.conversations) {
    if (message.role === 'tool') {
      results.push({ content: message.content });
      continue;
    }
    flush();
    conversations.push({ role: message.role, content: message.role === 'assistant' ? separateReasoning(message.content) : message.content });
  }
  flush();
  return { conversations };
}
