import { z } from 'zod';
import type { SavedConversation } from '../core/types.js';

/** One line of an output file as read back by the exports (metadata may be absent after `--minimal`). */
export const savedConversationSchema = z.object({
  id: z.string().min(1),
  conversations: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant', 'tool']),
      content: z.string(),
    }),
  ),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

/** One entry of `metadata.toolCalls`, as the pipeline records it. */
export const toolCallRecordSchema = z.object({
  messageIndex: z.number().int().nonnegative(),
  resultIndex: z.number().int().nonnegative(),
  name: z.string().min(1),
  arguments: z.unknown(),
  ok: z.boolean().optional(),
  format: z.string().optional(),
  /** The exact markup the call was parsed from; absent in lines saved before it was recorded. */
  raw: z.string().optional(),
});

export type ToolCallRecord = z.infer<typeof toolCallRecordSchema>;

const toolCallsSchema = z.array(toolCallRecordSchema);

export type ParsedLine =
  | { readonly ok: true; readonly conversation: SavedConversation }
  | { readonly ok: false; readonly reason: string };

/** Parses one line of an output file; never throws. */
export function parseConversationLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const result = savedConversationSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return { ok: false, reason: `not a saved conversation${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, conversation: result.data };
}

/** `metadata.toolCalls` when present and well formed; `undefined` when absent or malformed. */
export function readToolCalls(conversation: SavedConversation): readonly ToolCallRecord[] | undefined {
  const raw = conversation.metadata['toolCalls'];
  if (raw === undefined) return undefined;
  const result = toolCallsSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}
