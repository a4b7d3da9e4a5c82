/**
 * The listed tools of every server as the model is offered them: namespaced names, the JSON Schema
 * as the server published it, the OpenAI function-tool shape for exports and `metadata.tools`, and
 * the catalogue the call parser needs (parameter order for python-style calls, an example call).
 */
import type { JsonSchema, ToolCatalogue, ToolSchema } from '../../format/index.js';
import { ToolNamer } from './tool-names.js';

export interface McpTool {
  /** The offered name, `<server>_<tool>` sanitised. */
  readonly name: string;
  readonly server: string;
  /** The name the server knows it by, sent in `tools/call`. */
  readonly serverToolName: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
}

export interface ListedTool {
  readonly name: string;
  readonly description?: string | undefined;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** Servers in configuration order, tools in listing order: the same configuration names them the same. */
export function offerTools(listings: readonly { readonly server: string; readonly tools: readonly ListedTool[] }[]): readonly McpTool[] {
  const namer = new ToolNamer();
  return listings.flatMap(({ server, tools }) =>
    tools.map((tool) => ({
      name: namer.name(server, tool.name),
      server,
      serverToolName: tool.name,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
    })),
  );
}

export function toToolSchema(tool: McpTool): ToolSchema {
  // `$schema` is noise in a prompt and some templates choke on it; the rest is passed as written.
  const { $schema: _ignored, ...parameters } = tool.inputSchema;
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters } };
}

export function parametersOf(tool: McpTool): readonly string[] {
  const properties = tool.inputSchema['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

/** `vault_write_file(path: string, content: string, dryRun?: boolean)` */
export function signatureOf(tool: McpTool): string {
  const properties = (tool.inputSchema['properties'] ?? {}) as Readonly<Record<string, { readonly type?: unknown }>>;
  const required = new Set(Array.isArray(tool.inputSchema['required']) ? (tool.inputSchema['required'] as unknown[]) : []);
  const parameters = parametersOf(tool).map((parameter) => {
    const type = properties[parameter]?.type;
    const typeName = typeof type === 'string' ? type : Array.isArray(type) ? type.join(' | ') : 'any';
    return `${parameter}${required.has(parameter) ? '' : '?'}: ${typeName}`;
  });
  return `${tool.name}(${parameters.join(', ')})`;
}

export function createCatalogue(tools: readonly McpTool[]): ToolCatalogue {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const first = tools[0];
  return Object.freeze({
    parameters: (name: string) => {
      const tool = byName.get(name);
      return tool === undefined ? undefined : parametersOf(tool);
    },
    signatures: tools.map(signatureOf).join(', '),
    example: first === undefined ? { name: 'tool_name', arguments: {} } : { name: first.name, arguments: exampleArguments(first) },
  });
}

/** Placeholder values for the required parameters, typed so the example itself would validate. */
function exampleArguments(tool: McpTool): Record<string, unknown> {
  const properties = (tool.inputSchema['properties'] ?? {}) as Readonly<Record<string, { readonly type?: unknown }>>;
  const required = Array.isArray(tool.inputSchema['required']) ? (tool.inputSchema['required'] as unknown[]).filter((key) => typeof key === 'string') : [];
  const placeholders: Readonly<Record<string, unknown>> = { string: '...', number: 1, integer: 1, boolean: true, array: [], object: {} };
  return Object.fromEntries(required.map((key) => [key, placeholders[String(properties[key]?.type)] ?? '...']));
}
