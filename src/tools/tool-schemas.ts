/**
 * Ada's tools as JSON Schema (the OpenAI function-tool shape), derived from the definitions so the
 * two never disagree. The pipeline saves them in `metadata.tools`; the export command uses them for
 * lines saved before that field existed.
 */
import type { JsonSchema, ToolSchema } from '../format/index.js';
import { ENTRY_WORDS, TOOL_DEFINITIONS, TOOL_NAMES, type ToolDefinition } from './tool-definitions.js';

/** An object schema with one required list parameter, the shape of every add and delete tool. */
function listParameter(name: string, itemType: 'string' | 'integer', description: string): JsonSchema {
  return {
    type: 'object',
    properties: { [name]: { type: 'array', items: { type: itemType }, description } },
    required: [name],
  };
}

function parametersOf(definition: ToolDefinition): JsonSchema {
  const words = ENTRY_WORDS[definition.kind];
  switch (definition.action) {
    case 'add':
      return listParameter('input_text', 'string', `The ${words.plural} to save, one short self-contained ${words.singular} per string.`);
    case 'delete':
      return listParameter('indices', 'integer', `The numbers ${words.recallTool} shows for the ${words.plural} to delete.`);
    case 'recall':
      return { type: 'object', properties: {} };
  }
}

export const ADA_TOOL_SCHEMAS: readonly ToolSchema[] = Object.freeze(
  TOOL_NAMES.map((name): ToolSchema => {
    const definition = TOOL_DEFINITIONS[name];
    return { type: 'function', function: { name, description: definition.description, parameters: parametersOf(definition) } };
  }),
);
