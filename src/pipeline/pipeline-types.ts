import type { ModelRequester } from '../core/types.js';
import type { SavedConversation } from '../format/index.js';

/** What a pipeline gets for one conversation. */
export interface PipelineContext {
  readonly conversationId: string;
  readonly requester: ModelRequester;
  /** Aborted at the conversation's deadline, or when a shutdown's grace period ends. */
  readonly signal: AbortSignal;
  /** Resolves once the runner has saved or discarded this conversation; the pipeline holds per-conversation resources (its simulated user) until then. Absent: released when run returns. */
  readonly settled?: Promise<unknown>;
}

/**
 * A generation pipeline (DESIGN.md decision 8): given a way to make model requests, it returns one
 * finished conversation or throws ConversationDiscarded with a counted reason. The runner, the
 * dispatcher, the store and stats serve any pipeline.
 */
export interface ConversationPipeline {
  readonly name: string;
  readonly version: string;
  run(context: PipelineContext): Promise<SavedConversation>;
}

/** The runner's context, plus an injectable clock for timings and `createdAt`. */
export interface PipelineRunContext extends PipelineContext {
  /** Wall clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A `ConversationPipeline` whose `run` also accepts a clock. */
export interface AdaPipeline extends ConversationPipeline {
  run(context: PipelineRunContext): Promise<SavedConversation>;
}
