import { isProviderError } from '../../core/errors.js';
import { ConversationDiscarded } from '../../core/types.js';
import type { ExamplePlan } from './selfplay-mix.js';
import { WorkspaceReplyError } from './workspace.js';

/**
 * What a failed example is thrown as, with its provenance for `rejects.jsonl`: the plan is what the
 * example was about (unknown when the request itself failed); the failed step is the role of the
 * request left unanswered, which the dispatcher records. An abort stays as it is, so the runner
 * counts it as one.
 */
export function toSelfplayDiscard(error: unknown, plan: ExamplePlan | undefined, signal: AbortSignal): unknown {
  const topic = plan === undefined ? undefined : [plan.type, plan.environment, plan.type === 'behavioral' ? plan.behavior : undefined].filter(Boolean).join(' / ');
  const provenance = topic === undefined ? {} : { topic };
  if (error instanceof ConversationDiscarded) return error.withProvenance(provenance);
  // A workspace that cannot be read (from the model) or written (into the sandbox): nothing to answer.
  if (error instanceof WorkspaceReplyError) return new ConversationDiscarded('workspace_unusable', error.message, { cause: error, provenance });
  if (isProviderError(error) && error.kind !== 'aborted' && !signal.aborted) {
    return new ConversationDiscarded('provider_failure', `${error.provider} failed: ${error.message}`, { cause: error, provenance });
  }
  return error;
}
