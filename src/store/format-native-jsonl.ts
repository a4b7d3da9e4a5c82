import type { SavedConversation } from '../format/index.js';

export interface NativeRecordOptions {
  /** Drop `metadata`. */
  readonly minimal: boolean;
  /** Keep `annotations` (`generate --annotate`), last as saved; otherwise they are dropped. */
  readonly keepAnnotations: boolean;
}

/** The store's own line format. `id` stays the first key. */
export function toNativeRecord(conversation: SavedConversation, options: NativeRecordOptions): object {
  const conversations = conversation.conversations.map(({ role, content }) => ({ role, content }));
  const annotations = options.keepAnnotations && conversation.annotations !== undefined ? { annotations: conversation.annotations } : {};
  return options.minimal
    ? { id: conversation.id, conversations, ...annotations }
    : { id: conversation.id, conversations, metadata: conversation.metadata, ...annotations };
}
