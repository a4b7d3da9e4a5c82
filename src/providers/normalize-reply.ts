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

export function normalizeOpenAiShapedReply(value: unknown): ReplyCheck {
  const parsed = openAiShapedReply.safeParse(value);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
  const choice = parsed.data.choices[0]!;
  return {
    ok: true,
    reply: {
      text: contentText(choice.message.content),
      finishReason: mapFinishReason(choice.finish_reason),
      usage: { inputTokens: parsed.data.usage?.prompt_tokens ?? 0, outputTokens: parsed.data.usage?.completion_tokens ?? 0 },
      model: parsed.data.model,
    },
  };
}

export function normalizeMistralReply(value: unknown): ReplyCheck {
  const parsed = mistralReply.safeParse(value);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
  const choice = parsed.data.choices[0]!;
  return {
    ok: true,
    reply: {
      text: contentText(choice.message.content),
      finishReason: mapFinishReason(choice.finishReason),
      usage: { inputTokens: parsed.data.usage?.promptTokens ?? 0, outputTokens: parsed.data.usage?.completionTokens ?? 0 },
      model: parsed.data.model,
    },
  };
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
