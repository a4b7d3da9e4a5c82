/**
 * One model request of the conversation, with the deliberate handling of model misbehaviour:
 * a reply the step cannot use is retried once, then the conversation is discarded with the
 * counted reason. Provider failures that escape the requester (the dispatcher already retried
 * and failed over) become discards too.
 */
import { isProviderError } from '../../core/errors.js';
import {
  ConversationDiscarded,
  type ChatResult,
  type ModelRequester,
  type RoleRequest,
} from '../../core/types.js';
import { recordRequest, type AnnotationRecorder, type RecordedRequest } from '../annotation-recorder.js';
import type { AdaDiscardReason } from './ada-discard-reasons.js';
import type { SavedMessage } from '../../format/index.js';
import { sourceOf, type ConversationLog } from './conversation-log.js';

export type Verdict<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: AdaDiscardReason; readonly detail: string };

export interface StepContext {
  readonly requester: ModelRequester;
  readonly signal: AbortSignal;
  readonly log: ConversationLog;
  /** With `--annotate`: where each message's request is kept. */
  readonly annotations?: AnnotationRecorder;
}

/** Attempts per step: the first, and one retry. */
const ATTEMPTS = 2;

/** `deadline` when the signal timed out (`AbortSignal.timeout`), else `aborted`. */
export function abortReason(signal: AbortSignal): AdaDiscardReason {
  const reason: unknown = signal.reason;
  if (reason instanceof ConversationDiscarded) return reason.reason as AdaDiscardReason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'deadline';
  return 'aborted';
}

export function abortedDiscard(signal: AbortSignal, cause?: unknown): ConversationDiscarded {
  const reason = abortReason(signal);
  const message = reason === 'deadline' ? 'The conversation ran past its deadline' : 'The conversation was aborted';
  return new ConversationDiscarded(reason, message, { cause: cause ?? signal.reason });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortedDiscard(signal);
}

/**
 * What an error thrown while running a conversation means: a discard (returned) or a real
 * failure such as a bug or a broken database (rethrown by the caller as it is).
 */
export function toDiscard(error: unknown, signal: AbortSignal): ConversationDiscarded | undefined {
  if (error instanceof ConversationDiscarded) return error;
  if (signal.aborted) return abortedDiscard(signal, error);
  if (isProviderError(error)) {
    const reason: AdaDiscardReason = error.kind === 'aborted' ? 'aborted' : 'provider_failure';
    return new ConversationDiscarded(reason, `${error.provider} failed: ${error.message}`, { cause: error });
  }
  return undefined;
}

/**
 * Sends `request` (retrying once when `judge` refuses the reply) and returns the accepted value,
 * with, under `--annotate`, the request that produced it.
 */
export async function requestStep<T>(
  context: StepContext,
  step: string,
  request: RoleRequest,
  judge: (result: ChatResult) => Verdict<T>,
): Promise<{ readonly value: T; readonly result: ChatResult; readonly prompt?: RecordedRequest }> {
  let refusal: Extract<Verdict<T>, { ok: false }> | undefined;
  context.log.currentStep = step;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    throwIfAborted(context.signal);
    const result = await context.requester.complete({ ...request, signal: context.signal });
    context.log.countRequest(request.role, result);
    const verdict = judge(result);
    if (verdict.ok) {
      if (context.annotations === undefined) return { value: verdict.value, result };
      return { value: verdict.value, result, prompt: recordRequest(context.requester, request, result) };
    }
    refusal = verdict;
    if (attempt < ATTEMPTS) context.log.retries.push({ step, reason: verdict.reason, detail: verdict.detail });
  }
  const final = refusal as Extract<Verdict<T>, { ok: false }>;
  throw new ConversationDiscarded(final.reason, `${step}: ${final.detail}, again after one retry`);
}

/** The checks every role shares: a reply cut off by the length limit, or filtered, is unusable. */
export function checkFinish(result: ChatResult): Verdict<never> | undefined {
  if (result.finishReason === 'length') {
    return { ok: false, reason: 'truncated_reply', detail: 'the reply was cut off by the length limit' };
  }
  if (result.finishReason === 'content_filter') {
    return { ok: false, reason: 'invalid_output', detail: 'the reply was stopped by a content filter' };
  }
  return undefined;
}

/** Appends a model's answer to the conversation and, under `--annotate`, the request behind it; returns its index. */
export function appendAnswer(context: StepContext, message: SavedMessage, result: ChatResult, prompt: RecordedRequest | undefined): number {
  const index = context.log.append(message, sourceOf(result));
  if (prompt !== undefined) context.annotations?.annotate(index, message, prompt);
  return index;
}
