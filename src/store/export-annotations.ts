/**
 * What an export does with `annotations` (`generate --annotate`) before any format sees a line:
 * they are dropped unless `--keep-annotations` (jsonl) keeps them, and never kept together with
 * `--strip-thinking`.
 */
import type { SavedConversation } from '../format/index.js';
import { ExportError } from './export-error.js';

/**
 * Refused rather than half done: annotations record what each model was sent and wrote, the
 * reasoning included (originalThinking, the rewriter's requests, earlier replies inside later
 * requests). Stripping it there would make them a false record; keeping it would put reasoning
 * back into an export asked to have none.
 */
export function checkAnnotationOptions(options: { readonly stripThinking?: boolean; readonly keepAnnotations?: boolean }): void {
  if (options.stripThinking !== true || options.keepAnnotations !== true) return;
  throw new ExportError(
    'EXPORT_INVALID_OPTIONS',
    '--strip-thinking and --keep-annotations contradict each other: kept annotations hold the reasoning as the models wrote and were sent it ' +
      '(originalThinking, rewritePrompts, earlier replies in each request). Export twice: with --strip-thinking for training, with --keep-annotations for review.',
  );
}

/**
 * Annotations the export will not write go before anything else reads them: `--redact` and
 * `--anonymize-users` would otherwise count what they replaced in text that is never written (and
 * walk kilobytes of requests per line for nothing).
 */
export function withoutDroppedAnnotations(conversation: SavedConversation, keep: boolean): SavedConversation {
  if (keep || conversation.annotations === undefined) return conversation;
  const { annotations: _dropped, ...rest } = conversation;
  return rest;
}
