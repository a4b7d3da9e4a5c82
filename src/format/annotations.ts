/**
 * `generate --annotate`: beside `conversations` (never inside it: the validator, the report, the
 * dashboard and every export read those messages as they are), a line may carry `annotations`:
 * per generated message, the request that produced it and, for reasoning the rewriter replaced,
 * the reasoning as first written. Exports drop them unless asked (`export --keep-annotations`).
 *
 * A request is the record `rejects.jsonl` keeps per step (`RequestStep`: role, provider, model,
 * request messages) with its sampling, minus the reply (that is the message itself). Its system
 * prompt, the same few kilobytes in most requests of a conversation, is kept once per line in
 * `systemPrompts` and named by its index there, so a line grows by the conversation's requests
 * rather than by a copy of each prompt per request.
 */
import { z } from 'zod';

const wireMessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

/** One request as sent; `[{role: 'system', content: systemPrompts[systemPrompt]}, ...request]` is what the model received. */
export const annotatedRequestSchema = z.object({
  role: z.string(),
  /** The instance that answered. */
  provider: z.string(),
  /** The configured model. */
  model: z.string(),
  /** What the request asked beside its messages (`temperature`, `maxTokens`, …), as the pipeline set it. */
  sampling: z.record(z.string(), z.unknown()),
  /** Index in `annotations.systemPrompts`; absent when the request had no system message. */
  systemPrompt: z.number().int().nonnegative().optional(),
  /** The request's messages after its system message. */
  request: z.array(wireMessageSchema),
});

export type AnnotatedRequest = z.infer<typeof annotatedRequestSchema>;

export const messageAnnotationSchema = z.object({
  /** Index in `conversations` of the message this annotates. */
  messageIndex: z.number().int().nonnegative(),
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  /** The request whose reply became this message. */
  prompt: annotatedRequestSchema,
  /** The reasoning inside the `<think>` block(s) as the model first wrote them, when the rewriter replaced it. */
  originalThinking: z.string().optional(),
  /** The rewriter's requests for this message, one per `<think>` block. */
  rewritePrompts: z.array(annotatedRequestSchema).optional(),
});

export type MessageAnnotation = z.infer<typeof messageAnnotationSchema>;

export const conversationAnnotationsSchema = z.object({
  systemPrompts: z.array(z.string()),
  messages: z.array(messageAnnotationSchema),
});

export type ConversationAnnotations = z.infer<typeof conversationAnnotationsSchema>;

/** `annotations` when present and well formed; `undefined` when absent or malformed. */
export function readAnnotations(annotations: unknown): ConversationAnnotations | undefined {
  if (annotations === undefined) return undefined;
  const result = conversationAnnotationsSchema.safeParse(annotations);
  return result.success ? result.data : undefined;
}
