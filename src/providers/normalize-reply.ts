import { z } from 'zod';
import type { FinishReason, Usage } from '../core/types.js';
import { mapFinishReason } from './map-finish-reason.js';

export interface NormalizedReply {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  readonly model?: string;
}

/** Content may be a string or, for some servers, a list of typed chunks. */
const content = z.union([z.string(), z.null(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]).optional();

/** The OpenAI chat.completion shape that Together, TGI and OpenAI-compatible servers return. */
const openAiShapedReply = z
  .object({
    model: z.string().optional(),
    choices: z
      .array(
        z
          .object({
            message: z.object({ content }).loose(),
            finish_reason: z.string().nullable().optional(),
          })
          .loose(),
      )
      .min(1),
    usage: z
      .object({ prompt_tokens: z.number().nullable().optional(), completion_tokens: z.number().nullable().optional() })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();

/** Mistral's SDK hands back camelCase objects it already parsed. */
const mistralReply = z
  .object({
    model: z.string().optional(),
    choices: z
      .array(z.object({ message: z.object({ content }).loose(), finishReason: z.string().nullable().optional() }).loose())
      .min(1),
    usage: z
      .object({ promptTokens: z.number().nullable().optional(), completionTokens: z.number().nullable().optional() })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();

export type ReplyCheck = { ok: true; reply: NormalizedReply } | { ok: false; problem: string };

/** The fields a reply is reduced to, whatever the casing of the SDK that parsed it. */
interface ReplyFields {
  readonly content: z.infer<typeof content>;
  readonly finishReason: string | null | undefined;
  readonly inputTokens: number | null | undefined;
  readonly outputTokens: number | null | undefined;
  readonly model: string | undefined;
}

function normalize<T>(schema: z.ZodType<T>, value: unknown, fields: (data: T) => ReplyFields): ReplyCheck {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
  const reply = fields(parsed.data);
  return {
    ok: true,
    reply: {
      text: contentText(reply.content),
      finishReason: mapFinishReason(reply.finishReason),
      usage: { inputTokens: reply.inputTokens ?? 0, outputTokens: reply.outputTokens ?? 0 },
      model: reply.model,
    },
  };
}

export function normalizeOpenAiShapedReply(value: unknown): ReplyCheck {
  return normalize(openAiShapedReply, value, (data) => ({
    content: data.choices[0]!.message.content,
    finishReason: data.choices[0]!.finish_reason,
    inputTokens: data.usage?.prompt_tokens,
    outputTokens: data.usage?.completion_tokens,
    model: data.model,
  }));
}

export function normalizeMistralReply(value: unknown): ReplyCheck {
  return normalize(mistralReply, value, (data) => ({
    content: data.choices[0]!.message.content,
    finishReason: data.choices[0]!.finishReason,
    inputTokens: data.usage?.promptTokens,
    outputTokens: data.usage?.completionTokens,
    model: data.model,
  }));
}

function contentText(value: z.infer<typeof content>): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((chunk) => chunk.text ?? '').join('');
  return '';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'reply'}: ${issue.message}`)
    .join('; ');
}
