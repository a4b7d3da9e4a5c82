/** The tools module: parse tool calls out of model text and run memory/diary tools on SQLite. */
export {
  MAX_CALLS_PER_MESSAGE,
  formatToolCall,
  formatToolResponses,
  parseToolCallSequence,
  parseToolCalls,
  stripToolCalls,
  type ParsedToolCall,
  type ParsedToolCalls,
  type ToolCallFormat,
  type ToolCallItem,
  type ToolCallParseError,
} from './parse-tool-calls.js';
export {
  DEFAULT_TOOL_LIMITS,
  TOOL_DEFINITIONS,
  TOOL_NAMES,
  TOOL_SIGNATURES,
  isToolName,
  type ToolContext,
  type ToolDefinition,
  type ToolLimits,
  type ToolName,
  type ToolResult,
} from './tool-definitions.js';
export { parseErrorResult } from './run-tool.js';
export type { OpenConversationRecovery } from './open-conversations.js';
export { ToolStore, type ToolStoreOptions } from './tool-store.js';
