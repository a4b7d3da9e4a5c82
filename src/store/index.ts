/** The store module: the durable output file and its exports. Imports only from src/core/ and src/format/. */
export { ConversationStore } from './conversation-store.js';
export type { OpenedStore, StoreOptions, StoreRecovery } from './conversation-store.js';
export { StoreError } from './store-error.js';
export type { StoreErrorCode } from './store-error.js';
export { EXPORT_FORMATS, ExportError, exportConversations } from './export-conversations.js';
export type { BadLine, ExportFormat, ExportOptions, ExportSummary } from './export-conversations.js';
export type { SystemPromptChoice } from './prepare-conversation.js';
export { hasToolCalls, matchesWhere, parseWhereFilter } from './conversation-filters.js';
export type { WhereFilter } from './conversation-filters.js';
export { toOpenAiRecord } from './format-openai.js';
export type { OpenAiMessage, OpenAiRecord, OpenAiToolCall } from './format-openai.js';
export { shareGptDatasetInfo, toShareGptRecord } from './format-sharegpt.js';
export type { ShareGptRecord, ShareGptTurn } from './format-sharegpt.js';
export { toOriginalJsonRecord } from './format-original-json.js';
export { toNativeRecord } from './format-native-jsonl.js';
