/**
 * The tools a conversation could call, as JSON Schema in the OpenAI function-tool shape that
 * chat templates (`tools=`), TRL, Axolotl and the OpenAI fine-tuning API all read. The pipeline
 * records them in `metadata.tools` at generation time, so the exports need no knowledge of any
 * pipeline's tools; lines saved before that field existed get the caller's fallback.
 */
import { z } from 'zod';
import type { SavedConversation } from './saved-conversation.js';

/** A JSON Schema object; only its top level is checked here, the rest is passed through as written. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface ToolSchema {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description: string;
    readonly parameters: JsonSchema;
  };
}

const toolSchemaSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  }),
});

const toolSchemasSchema = z.array(toolSchemaSchema);

/** `metadata.tools` when present and well formed; `undefined` when absent or malformed. */
export function readToolSchemas(conversation: SavedConversation): readonly ToolSchema[] | undefined {
  const raw = conversation.metadata['tools'];
  if (raw === undefined) return undefined;
  const result = toolSchemasSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}
