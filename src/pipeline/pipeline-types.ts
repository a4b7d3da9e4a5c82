import type { ModelRequester, SavedConversation } from '../core/types.js';

/** What the runner gives a pipeline for one conversation. */
export interface PipelineRunContext {
  /** Becomes the saved conversation's `id`; tool rows written by the conversation record it. */
  readonly conversationId: string;
  /** Reaches the models by role; the dispatcher implements it per conversation. */
  readonly requester: ModelRequester;
  /** Aborts the conversation (shutdown, deadline via `AbortSignal.timeout`). */
  readonly signal: AbortSignal;
  /** Wall clock in epoch milliseconds, for timings and `createdAt`. @default Date.now */
  readonly now?: () => number;
}

/**
 * A generation pipeline (DESIGN.md decision 8): given a conversation id and a way to make model
 * requests, it returns a conversation to save, or throws `ConversationDiscarded` with a counted
 * reason. Any other error is a real failure (a bug, a broken database), not a model mistake.
 */
export interface ConversationPipeline {
  readonly name: string;
  readonly version: string;
  run(context: PipelineRunContext): Promise<SavedConversation>;
}
