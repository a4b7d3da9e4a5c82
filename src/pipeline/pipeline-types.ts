import type { ConversationPipeline, PipelineContext, SavedConversation } from '../core/types.js';

/** The runner's context, plus an injectable clock for timings and `createdAt`. */
export interface PipelineRunContext extends PipelineContext {
  /** Wall clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A `ConversationPipeline` (src/core) whose `run` also accepts a clock. */
export interface AdaPipeline extends ConversationPipeline {
  run(context: PipelineRunContext): Promise<SavedConversation>;
}

export type { ConversationPipeline, PipelineContext };
