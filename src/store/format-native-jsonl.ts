import type { SavedConversation } from '../format/index.js';

/** The store's own line format; `minimal` drops `metadata`. `id` stays the first key. */
export function toNativeRecord(conversation: SavedConversation, minimal: boolean): object {
  const conversations = conversation.conversations.map(({ role, content }) => ({ role, content }));
  return minimal
    ? { id: conversation.id, conversations }
    : { id: conversation.id, conversations, metadata: conversation.metadata };
}
