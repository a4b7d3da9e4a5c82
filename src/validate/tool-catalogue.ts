/**
 * The call parser's view of the tools (`ToolCatalogue`), built from their JSON Schemas, so any
 * pipeline's tools (Ada's, an MCP server's) are read the same way: python-style positional
 * arguments map onto the schema's properties in declaration order.
 */
import type { ToolCatalogue, ToolSchema } from '../format/index.js';

function parameterNames(tool: ToolSchema): readonly string[] {
  const properties = tool.function.parameters['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

export function catalogueFromSchemas(tools: readonly ToolSchema[]): ToolCatalogue {
  const byName = new Map(tools.map((tool) => [tool.function.name, parameterNames(tool)]));
  const first = tools[0];
  return {
    parameters: (name) => byName.get(name),
    signatures: [...byName].map(([name, parameters]) => `${name}(${parameters.join(', ')})`).join(', '),
    example: { name: first?.function.name ?? 'tool_name', arguments: {} },
  };
}
