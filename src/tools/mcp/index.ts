/**
 * Tools from any MCP server (issue 13): connect, list, offer, validate, call in per-conversation
 * sandboxes. A leaf: imports only `core` and `format`. See `open-mcp-tools.ts` for the design.
 */
export { isSandboxed, SANDBOX_PLACEHOLDER, type HttpServerEntry, type McpServerEntry, type McpServers, type StdioServerEntry } from './mcp-server-entry.js';
export type { McpTool } from './offered-tools.js';
export { openMcpTools, type McpSandbox, type McpTools, type McpToolsOptions } from './open-mcp-tools.js';
export { McpServerError } from './server-connection.js';
export type { McpToolResult } from './tool-result.js';
