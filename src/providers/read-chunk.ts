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

/** Every chunk checked by the schema alone: what readOpenAiShapedChunk must agree with (and does, on the chunks it reads by hand). */
export const readOpenAiShapedChunkBySchema = chunkReader(openAiShapedChunk, (chunk) => {
  const choice = chunk.choices[0];
  return {
    text: contentText(choice?.delta?.content),
    finishReason: choice?.finish_reason,
    inputTokens: chunk.usage?.prompt_tokens,
    outputTokens: chunk.usage?.completion_tokens,
    model: chunk.model,
  };
});

/**
 * Reads a Together, TGI or OpenAI-compatible chunk. Nearly every chunk has the plain shape (string
 * or null content, numbers or nulls for usage), which is checked by hand: a zod parse of every
 * chunk was 1.6 % of the daemon's CPU (profile-daemon, 200 conversations). Anything else (content
 * parts, a wrong type, a missing field) goes to the schema, which reads the rarer shapes and words
 * the problem.
 */
export function readOpenAiShapedChunk(value: unknown): ChunkCheck {
  return plainChunk(value) ?? readOpenAiShapedChunkBySchema(value);
}

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

function isOptionalCount(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || (typeof value === 'number' && Number.isFinite(value));
}

/** The fields of a chunk of the plain shape, as the schema would read them, or undefined to let the schema decide. */
function plainChunk(value: unknown): ChunkCheck | undefined {
  if (!isFields(value) || !Array.isArray(value['choices'])) return undefined;
  const model = value['model'];
  if (model !== undefined && typeof model !== 'string') return undefined;
  for (const choice of value['choices'] as unknown[]) {
    if (!isFields(choice) || !isOptionalString(choice['finish_reason'])) return undefined;
    const delta = choice['delta'];
    if (delta !== undefined && delta !== null && !(isFields(delta) && isOptionalString(delta['content']))) return undefined;
  }
  const usage = value['usage'];
  if (usage !== undefined && usage !== null && !(isFields(usage) && isOptionalCount(usage['prompt_tokens']) && isOptionalCount(usage['completion_tokens']))) {
    return undefined;
  }
  const choice = (value['choices'] as Fields[])[0];
  const delta = choice?.['delta'] as Fields | null | undefined;
  const content = delta?.['content'] as string | null | undefined;
  const counts = usage as Fields | null | undefined;
  return {
    ok: true,
    fields: {
      text: typeof content === 'string' ? content : '',
      finishReason: choice?.['finish_reason'] as string | null | undefined,
      inputTokens: counts?.['prompt_tokens'] as number | null | undefined,
      outputTokens: counts?.['completion_tokens'] as number | null | undefined,
      model,
    },
  };
}

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
