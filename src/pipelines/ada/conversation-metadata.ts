import type { ProviderSwitch } from '../../core/types.js';
import type { ToolSchema } from '../../format/index.js';
import type { ConversationLog } from './conversation-log.js';
import type { SimulatedUser } from './simulated-users.js';
import type { ToolShareRecord } from './tool-share-run.js';

export interface MetadataInput {
  readonly pipeline: string;
  readonly pipelineVersion: string;
  readonly dryRun: boolean;
  readonly user: SimulatedUser;
  readonly topic: string;
  readonly turns: number;
  readonly log: ConversationLog;
  readonly rewrite: boolean;
  readonly switches: readonly ProviderSwitch[];
  /** The tools the assistant was offered, so exports can declare them without knowing the pipeline. */
  readonly tools: readonly ToolSchema[];
  /** The system prompt's thinking instruction, exactly as it stands there, so exports can remove it. */
  readonly thinkingInstruction?: string;
  /** `--tool-share`: the target and this conversation's plan; absent without the flag. */
  readonly toolShare?: ToolShareRecord;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/**
 * The saved metadata. The fields of the brief's "Shared conventions" come first and keep their
 * shapes (stats, store and exports read them); `messages` is aligned with `conversations`.
 */
export function buildMetadata(input: MetadataInput): Record<string, unknown> {
  const { log, user } = input;
  return {
    pipeline: input.pipeline,
    pipelineVersion: input.pipelineVersion,
    dryRun: input.dryRun,
    createdAt: new Date(input.finishedAt).toISOString(),
    simulatedUser: {
      id: user.id,
      name: user.name,
      age: user.age,
      situation: user.situation,
      interests: [...user.interests],
      style: user.style,
    },
    topic: input.topic,
    providers: [...log.providers],
    messages: [...log.sources],
    toolCalls: [...log.toolCalls],
    usage: { inputTokens: log.inputTokens, outputTokens: log.outputTokens },
    timings: {
      startedAt: new Date(input.startedAt).toISOString(),
      finishedAt: new Date(input.finishedAt).toISOString(),
      durationMs: Math.max(0, input.finishedAt - input.startedAt),
    },
    providerSwitches: [...input.switches],
    turns: input.turns,
    requests: { ...log.requests },
    retries: [...log.retries],
    rewrite: { enabled: input.rewrite, messages: [...log.rewrites] },
    tools: [...input.tools],
    ...(input.thinkingInstruction === undefined ? {} : { thinkingInstruction: input.thinkingInstruction }),
    ...(input.toolShare === undefined ? {} : { toolShare: { target: input.toolShare.target, plan: input.toolShare.plan } }),
  };
}
