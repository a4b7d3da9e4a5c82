/**
 * The conversation format: the saved-line schema, `<think>` regions, and the tool-call markup
 * grammar (parse, print, strip) in every syntax models write. Imported by tools, pipelines,
 * validation, the store and the exports, so they never disagree; imports nothing but `core`.
 */
export {
  annotatedRequestSchema,
  conversationAnnotationsSchema,
  readAnnotations,
  type AnnotatedRequest,
  type ConversationAnnotations,
  type MessageAnnotation,
} from './annotations.js';
export { canonicalizeToolCalls, restoreCallSyntax, type CanonicalCalls } from './canonical-calls.js';
export { checkJsonSchema, describeViolations, type SchemaViolation } from './check-json-schema.js';
export { describeValue } from './describe-value.js';
export { formatToolCall, formatToolResponses, toSpacedJson } from './format-tool-call.js';
export { MAX_CALLS_PER_MESSAGE, parseToolCallSequence, parseToolCalls, stripToolCalls } from './parse-tool-calls.js';
export { describeUnknownTool } from './read-python-call.js';
export {
  parseConversationLine,
  readToolCalls,
  savedConversationSchema,
  type ParsedLine,
  type LabelIssue,
  type JudgeVerdict,
  type SavedConversation,
  type SavedMessage,
  type ToolCallRecord,
} from './saved-conversation.js';
export { removeRecordedMarkup } from './strip-call-markup.js';
export { createRegionLookup, findThinkRegions, mapOutsideThinking, type TextRegion, type ThinkRegion } from './think-regions.js';
export {
  extractRewrittenReasoning,
  findThinkBlocks,
  normalizeThinking,
  removeThinking,
  replaceThinkBlocks,
  separateReasoning,
  stripThinking,
  visibleReply,
  type ThinkBlock,
} from './thinking.js';
export { parseTolerantJson } from './tolerant-json.js';
export { mentionsThinkTags, readThinkingInstruction, removeThinkingInstruction } from './system-prompt.js';
export { readToolSchemas, type JsonSchema, type ToolSchema } from './tool-schema.js';
export { renderToolsBlock } from './tools-block.js';
export type {
  ParseOptions,
  ParsedToolCall,
  ParsedToolCalls,
  ToolCallFormat,
  ToolCallItem,
  ToolCallParseError,
  ToolCatalogue,
} from './tool-call-types.js';
