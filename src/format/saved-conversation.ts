/**
 * The saved line (DESIGN.md "Formats"): one JSON object per conversation, as the store writes it
 * and every reader (exports, validation, report, dashboard) reads it back. The one definition.
 */
import { z } from 'zod';

/** A message as saved in the dataset. */
export interface SavedMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
}

/** One finished conversation, exactly as one line of the output file holds it. */
export interface SavedConversation {
  readonly id: string;
  readonly conversations: readonly SavedMessage[];
  /** Whether the conversation passed its checks; a false one goes to the `_invalid` file beside the output. Absent: not judged. */
  readonly label?: boolean;
  /** The behavior a self-play example tests, when it tests one. */
  readonly behavior?: string;
  /** What the checks found: errors make the label false, warnings do not. */
  readonly report?: { readonly issues: readonly LabelIssue[]; readonly judge?: JudgeVerdict };
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * With `generate --annotate`: the request behind each generated message and the reasoning the
   * rewriter replaced (`ConversationAnnotations`, read with `readAnnotations`). Readers of the
   * messages never need it; exports drop it unless asked.
   */
  readonly annotations?: unknown;
}

/** What the judge model (`--judge`) made of a conversation: 1 to 5 each; `score` is the lowest. */
export interface JudgeVerdict {
  readonly score: number;
  readonly helpfulness: number;
  readonly toolUse: number;
  readonly faithfulness: number;
  /** One line. */
  readonly reason: string;
  readonly provider: string;
  readonly model: string;
}

export interface LabelIssue {
  readonly level: 'error' | 'warning';
  /** Stable kebab-case: `unknown-tool`, `bad-arguments`, … */
  readonly code: string;
  readonly message: string;
  /** Index in `conversations` of the message at fault, when one is. */
  readonly messageIndex?: number;
}

/** One line of an output file as read back (metadata may be absent after `--minimal`). */
export const savedConversationSchema = z.object({
  id: z.string().min(1),
  conversations: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant', 'tool']),
      content: z.string(),
    }),
  ),
  label: z.boolean().optional(),
  behavior: z.string().optional(),
  report: z
    .object({
      issues: z.array(z.object({ level: z.enum(['error', 'warning']), code: z.string(), message: z.string(), messageIndex: z.number().int().nonnegative().optional() })),
      judge: z
        .object({
          score: z.number(),
          helpfulness: z.number(),
          toolUse: z.number(),
          faithfulness: z.number(),
          reason: z.string(),
          provider: z.string(),
          model: z.string(),
        })
        .optional(),
    })
    .optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  // Carried through as it is: a reader of the messages neither needs nor checks it (readAnnotations does).
  annotations: z.unknown().optional(),
});

/**
 * One entry of `metadata.toolCalls`: a call and where it and its result sit in `conversations`.
 * Pipelines write every field; readers accept lines saved before `ok`, `format` and `raw` existed.
 */
const toolCallRecordSchema = z.object({
  /** Index in `conversations` of the assistant message that made the call. */
  messageIndex: z.number().int().nonnegative(),
  /** Index in `conversations` of the `tool` message that holds its result. */
  resultIndex: z.number().int().nonnegative(),
  name: z.string().min(1),
  /** The arguments as parsed; null when the markup could not be read. */
  arguments: z.unknown(),
  ok: z.boolean().optional(),
  /** The syntax the model wrote the call in (`hermes`, `python`, `mistral`, `plain`). */
  format: z.string().optional(),
  /** True when the markup could not be read and the result is the parse error. */
  parseError: z.literal(true).optional(),
  /**
   * The exact markup the parser read, as it stands in the message (outside `<think>`); calls from
   * one tag or one `[TOOL_CALLS]` list share it.
   */
  raw: z.string().optional(),
  /**
   * What the model wrote, when the pipeline rewrote the call into the canonical syntax (`raw` is
   * then the canonical markup in the message). `export --keep-call-syntax` puts it back.
   */
  original: z.string().optional(),
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
