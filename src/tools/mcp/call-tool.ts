/**
 * One call from a model, start to finish: the offered name is looked up, the arguments are checked
 * against the tool's schema, and the call runs on a process of the caller's sandbox with a
 * deadline. Whatever goes wrong comes back as a result the model can read (DESIGN.md, decision 6);
 * failures that are not the model's are marked `unavailable` for the pipeline to decide on.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { checkJsonSchema, describeValue, describeViolations, type ToolCatalogue } from '../../format/index.js';
import { isSandboxed, type McpServers } from './mcp-server-entry.js';
import { signatureOf, type McpTool } from './offered-tools.js';
import { describeServer } from './server-connection.js';
import { SHARED_KEY, type ServerPool } from './server-pool.js';
import { toToolResult, type McpToolResult } from './tool-result.js';

export interface CallContext {
  readonly servers: McpServers;
  readonly pools: ReadonlyMap<string, ServerPool>;
  readonly byName: ReadonlyMap<string, McpTool>;
  readonly catalogue: ToolCatalogue;
  readonly redact: (text: string) => string;
  readonly callTimeoutMs: number;
  readonly maxResultCharacters: number;
}

export async function callTool(
  context: CallContext,
  sandboxDirectories: ReadonlyMap<string, string>,
  name: string,
  args: unknown,
): Promise<McpToolResult> {
  const tool = context.byName.get(name);
  if (tool === undefined) {
    return { name, ok: false, content: `There is no tool named ${JSON.stringify(name)}. The tools are: ${context.catalogue.signatures}.` };
  }
  const argumentsObject = args === undefined || args === null ? {} : args;
  if (typeof argumentsObject !== 'object' || Array.isArray(argumentsObject)) {
    return { name, ok: false, content: `${name}: the arguments must be an object, got ${describeValue(argumentsObject)}. Expected ${signatureOf(tool)}.` };
  }
  const violations = checkJsonSchema(argumentsObject, tool.inputSchema);
  if (violations.length > 0) {
    return { name, ok: false, content: `${name}: ${describeViolations(violations)}. Expected ${signatureOf(tool)}.` };
  }
  const entry = context.servers[tool.server];
  const pool = context.pools.get(tool.server);
  if (entry === undefined || pool === undefined) throw new Error(`no pool for MCP server "${tool.server}"`);
  const key = isSandboxed(entry) ? sandboxDirectories.get(tool.server) : SHARED_KEY;
  if (key === undefined) throw new Error(`no sandbox directory for MCP server "${tool.server}"`);
  const timeoutMs = entry.timeoutMs ?? context.callTimeoutMs;
  try {
    return await pool.use(key, async (connection) => {
      const result = await connection.client.callTool(
        { name: tool.serverToolName, arguments: argumentsObject as Record<string, unknown> },
        undefined,
        { timeout: timeoutMs },
      );
      return toToolResult(name, result, context.maxResultCharacters);
    });
  } catch (error) {
    return { name, ok: false, unavailable: true, content: context.redact(describeFailure(tool, describeServer(tool.server, entry), error, timeoutMs)) };
  }
}

function describeFailure(tool: McpTool, server: string, error: unknown, timeoutMs: number): string {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return `${tool.name}: ${server} did not answer within ${timeoutMs} ms. The call may or may not have taken effect.`;
  }
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return `${tool.name}: ${server} stopped during the call; it is started again for the next call. The call may or may not have taken effect.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${tool.name}: the call could not be made: ${message}`;
}
