/** The tools module: run memory/diary tools on SQLite (the call grammar is `src/format`). */
export {
  ADA_TOOL_CATALOGUE,
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
export { ADA_TOOL_SCHEMAS } from './tool-schemas.js';
export type { OpenConversationRecovery } from './open-conversations.js';
export { ToolStore, type ToolStoreOptions } from './tool-store.js';
