/**
 * What the report needs from one saved line, read the same way for every pipeline: Ada's lines
 * (`metadata.providers`, `metadata.messages`, `metadata.toolCalls`, `metadata.usage`,
 * `metadata.createdAt`) and self-play's (`metadata.agent`, `metadata.execution`, the call in the
 * reply, the time in `session_id`). Lines are model output read back: every field is optional.
 */
import { z } from 'zod';
import { parseToolCalls, readToolCalls, type SavedConversation } from '../format/index.js';

export interface ConversationFacts {
  readonly pipeline: string;
  readonly provider: string;
  readonly model: string;
  /** Epoch milliseconds when it was finished; undefined when the line does not say. */
  readonly finishedAt: number | undefined;
  readonly calls: readonly { readonly name: string; readonly ok: boolean }[];
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly judgeScore: number | undefined;
  readonly topic: string | undefined;
  readonly user: string | undefined;
  readonly behavior: string | undefined;
  readonly environment: string | undefined;
  readonly dryRun: boolean;
  /** `metadata.toolShare` of a run with `--tool-share`. */
  readonly toolShare: { readonly target: number; readonly plan: 'tools' | 'no-tools' } | undefined;
}

const metadataSchema = z.object({
  pipeline: z.string().optional().catch(undefined),
  dryRun: z.boolean().optional().catch(undefined),
  createdAt: z.string().optional().catch(undefined),
  providers: z.array(z.string()).optional().catch(undefined),
  messages: z.array(z.object({ provider: z.string().optional(), model: z.string().optional() }).nullable()).optional().catch(undefined),
  agent: z.object({ provider: z.string().optional(), model: z.string().optional() }).optional().catch(undefined),
  usage: z.object({ inputTokens: z.number().optional(), outputTokens: z.number().optional() }).optional().catch(undefined),
  execution: z.object({ ok: z.boolean() }).optional().catch(undefined),
  topic: z.string().optional().catch(undefined),
  simulatedUser: z.object({ id: z.string().optional(), name: z.string().optional() }).optional().catch(undefined),
  environment_variation: z.string().optional().catch(undefined),
  behavior: z.string().optional().catch(undefined),
  type: z.string().optional().catch(undefined),
  session_id: z.string().optional().catch(undefined),
  toolShare: z.object({ target: z.number().min(0).max(1), plan: z.enum(['tools', 'no-tools']) }).optional().catch(undefined),
});

const judgeSchema = z.object({ judge: z.object({ score: z.number() }) });

/** Self-play's session ids are `session_{13-digit ms}_{9 alphanumerics}`, made when the example started. */
const SESSION_TIME = /^session_(\d{13})_/;

function assistantModel(conversation: SavedConversation, metadata: z.infer<typeof metadataSchema>): { provider?: string; model?: string } {
  if (metadata.agent !== undefined) return metadata.agent;
  const messages = metadata.messages ?? [];
  for (let index = conversation.conversations.length - 1; index >= 0; index--) {
    if (conversation.conversations[index]?.role === 'assistant' && messages[index]) return messages[index] ?? {};
  }
  return { provider: metadata.providers?.[0] };
}

function finishedAt(metadata: z.infer<typeof metadataSchema>): number | undefined {
  const created = metadata.createdAt === undefined ? Number.NaN : Date.parse(metadata.createdAt);
  if (Number.isFinite(created)) return created;
  const session = metadata.session_id === undefined ? undefined : SESSION_TIME.exec(metadata.session_id)?.[1];
  return session === undefined ? undefined : Number(session);
}

/** Ada records every call with its outcome; self-play's one call is in the reply, its outcome in `execution`. */
function toolCalls(conversation: SavedConversation, metadata: z.infer<typeof metadataSchema>): { name: string; ok: boolean }[] {
  const recorded = readToolCalls(conversation);
  if (recorded !== undefined) return recorded.map((call) => ({ name: call.name, ok: call.ok === true && call.parseError !== true }));
  if (metadata.pipeline !== 'selfplay') return [];
  const reply = conversation.conversations.at(-1);
  if (reply?.role !== 'assistant') return [];
  const calls = parseToolCalls(reply.content).calls;
  return calls.map((call) => ({ name: call.name, ok: metadata.execution?.ok === true }));
}

/** `raw` is the line as parsed JSON: `report.judge` is not part of the saved-line schema, which drops it. */
export function readConversationFacts(conversation: SavedConversation, raw: unknown): ConversationFacts {
  const metadata = metadataSchema.parse(conversation.metadata);
  const writer = assistantModel(conversation, metadata);
  const judge = judgeSchema.safeParse((raw as { report?: unknown } | null)?.report);
  return {
    pipeline: metadata.pipeline ?? 'unknown',
    provider: writer.provider ?? metadata.providers?.[0] ?? 'unknown',
    model: writer.model ?? 'unknown',
    finishedAt: finishedAt(metadata),
    calls: toolCalls(conversation, metadata),
    inputTokens: metadata.usage?.inputTokens ?? 0,
    outputTokens: metadata.usage?.outputTokens ?? 0,
    judgeScore: judge.success ? judge.data.judge.score : undefined,
    topic: metadata.topic,
    user: metadata.simulatedUser?.name ?? metadata.simulatedUser?.id,
    behavior: conversation.behavior ?? metadata.behavior ?? metadata.type,
    environment: metadata.environment_variation,
    dryRun: metadata.dryRun === true,
    toolShare: metadata.toolShare,
  };
}
