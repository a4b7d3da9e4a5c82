/**
 * Ada's tools as JSON Schema (the OpenAI function-tool shape), derived from the definitions so the
 * two never disagree. The pipeline saves them in `metadata.tools`; the export command uses them for
 * lines saved before that field existed.
 */
import type { JsonSchema, ToolSchema } from '../format/index.js';
import { ENTRY_WORDS, TOOL_DEFINITIONS, TOOL_NAMES, type ToolDefinition } from './tool-definitions.js';

function parametersOf(definition: ToolDefinition): JsonSchema {
  const words = ENTRY_WORDS[definition.kind];
  switch (definition.action) {
    case 'add':
      return {
        type: 'object',
        properties: {
          input_text: {
            type: 'array',
            items: { type: 'string' },
            description: `The ${words.plural} to save, one short self-contained ${words.singular} per string.`,
          },
        },
        required: ['input_text'],
      };
    case 'delete':
      return {
        type: 'object',
        properties: {
          indices: {
            type: 'array',
            items: { type: 'integer' },
            description: `The numbers ${words.recallTool} shows for the ${words.plural} to delete.`,
          },
        },
        required: ['indices'],
      };
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
