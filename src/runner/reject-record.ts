import { isProviderError } from '../core/errors.js';
import { ConversationDiscarded, type DiscardReason, type RequestStep } from '../core/types.js';
import type { RejectRecord } from '../store/index.js';

/** What the runner knows of one abandoned conversation when it writes its reject. */
export interface AbandonedConversation {
  readonly conversationId: string;
  readonly pipeline: { readonly name: string; readonly version: string };
  readonly reason: DiscardReason;
  readonly message: string;
  /** What the pipeline threw (or undefined when the runner itself gave up, a duplicate id say). */
  readonly error: unknown;
  /** The dispatcher session's requests, oldest first. */
  readonly steps: readonly RequestStep[];
  readonly time: number;
}

/** The pipeline's provenance, the dispatcher's steps, and an error kind a reader can group by. */
export function buildRejectRecord(abandoned: AbandonedConversation): RejectRecord {
  const provenance = abandoned.error instanceof ConversationDiscarded ? abandoned.error.provenance : undefined;
  return {
    id: abandoned.conversationId,
    time: new Date(abandoned.time).toISOString(),
    pipeline: abandoned.pipeline,
    reason: abandoned.reason,
    failedStep: provenance?.failedStep ?? lastStepName(abandoned.steps),
    error: { kind: provenance?.errorKind ?? errorKind(abandoned.reason, abandoned.error), message: abandoned.message },
    ...(provenance?.user === undefined ? {} : { user: provenance.user }),
    ...(provenance?.topic === undefined ? {} : { topic: provenance.topic }),
    steps: abandoned.steps,
  };
}

/**
 * `deadline`, `aborted` and `surplus` (a spare stopped at the target) as they are; a provider's failure by its kind (`rate_limit`, `auth`,
 * `timeout`, …, found on the error or its causes); `unusable_reply` for a conversation the
 * pipeline gave up on by its own judgement; `internal` for anything else (a bug, counted, not fatal).
 */
function errorKind(reason: DiscardReason, error: unknown): string {
  if (reason === 'deadline' || reason === 'aborted' || reason === 'surplus') return reason;
  for (let cause = error, depth = 0; cause !== undefined && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    if (isProviderError(cause)) return cause.kind;
    if (typeof cause !== 'object' || cause === null) break;
  }
  if (error instanceof ConversationDiscarded) return 'unusable_reply';
  return 'internal';
}

/** Without the pipeline's name for it: the role of the request left unanswered, or of the last one. */
function lastStepName(steps: readonly RequestStep[]): string {
  const unanswered = steps.findLast((step) => step.reply === null);
  const last = unanswered ?? steps.at(-1);
  return last === undefined ? 'before the first request' : last.role;
}
