import type { SavedConversation, SavedMessage } from '../format/index.js';

/** One item of the original Python tool's output: a JSON array of these. */
export interface OriginalJsonRecord {
  readonly conversations: readonly SavedMessage[];
}

export function toOriginalJsonRecord(conversation: SavedConversation): OriginalJsonRecord {
  return { conversations: conversation.conversations.map(({ role, content }) => ({ role, content })) };
}
