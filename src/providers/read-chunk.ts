import { z } from 'zod';

/** What one streamed chunk contributes to the reply, whatever the casing of the SDK that parsed it. */
export interface ChunkFields {
  /** Text added by this chunk ('' when none). */
  readonly text: string;
  readonly finishReason: string | null | undefined;
  readonly inputTokens: number | null | undefined;
  readonly outputTokens: number | null | undefined;
  readonly model: string | undefined;
}

export type ChunkCheck = { readonly ok: true; readonly fields: ChunkFields } | { readonly ok: false; readonly problem: string };

/** Content may be a string, null, or (Mistral, some servers) a list of typed parts. */
const content = z.union([z.string(), z.null(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]).optional();

/**
 * The OpenAI `chat.completion.chunk` that Together, TGI and OpenAI-compatible servers stream. The
 * usage chunk of `stream_options.include_usage` has no choices at all.
 */
const openAiShapedChunk = z
  .object({
    model: z.string().optional(),
    choices: z.array(z.object({ delta: z.object({ content }).loose().nullable().optional(), finish_reason: z.string().nullable().optional() }).loose()),
    usage: z
      .object({ prompt_tokens: z.number().nullable().optional(), completion_tokens: z.number().nullable().optional() })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();

/**
 * A reader for one SDK's chunks: checks the shape, then picks the fields out of it. (Mistral's
 * SDK checks its chunks itself: read-mistral-chunk.ts.)
 */
function chunkReader<Chunk>(schema: z.ZodType<Chunk>, fieldsOf: (chunk: Chunk) => ChunkFields): (value: unknown) => ChunkCheck {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
    return { ok: true, fields: fieldsOf(parsed.data) };
  };
}

export const readOpenAiShapedChunk = chunkReader(openAiShapedChunk, (chunk) => {
  const choice = chunk.choices[0];
  return {
    text: contentText(choice?.delta?.content),
    finishReason: choice?.finish_reason,
    inputTokens: chunk.usage?.prompt_tokens,
    outputTokens: chunk.usage?.completion_tokens,
    model: chunk.model,
  };
});

function contentText(value: z.infer<typeof content>): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => part.text ?? '').join('');
  return '';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'chunk'}: ${issue.message}`)
    .join('; ');
}
