/**
 * The judge model for the behaviors a rule cannot tell (`--judge`): strategic tool selection and
 * workspace awareness are about which sound call is the right one, which only a reader of the
 * workspace and the request can say. Its reply is model output like any other: read with a schema;
 * one that cannot be read, or a judge that cannot be reached, is a warning, never a discard.
 */
import { z } from 'zod';
import type { ModelRequester, Sampling } from '../../core/types.js';
import { askJudge, readJsonReply, verdictReason } from '../ask-judge.js';
import type { ResponseIssue } from './judge-response.js';
import { BEHAVIORS, type Behavior } from './selfplay-mix.js';

const judgeReplySchema = z.object({ shows: z.boolean(), reason: z.string().min(1) });

/** What the judge said, kept in `metadata.behavior_judge`. */
export interface BehaviorVerdict {
  readonly shows: boolean;
  readonly reason: string;
  readonly provider: string;
  readonly model: string;
}

export interface BehaviorJudgement {
  readonly verdict?: BehaviorVerdict;
  readonly issues: readonly ResponseIssue[];
}

export interface BehaviorJudgeInput {
  readonly behavior: Behavior;
  readonly sessionContext: string;
  readonly userText: string;
  readonly reply: string;
}

/** The judge's JSON: the first `{` to the last `}`, checked with a schema; undefined when it is not there. */
export function readBehaviorVerdict(text: string): z.infer<typeof judgeReplySchema> | undefined {
  return readJsonReply(text, judgeReplySchema);
}

function material(input: BehaviorJudgeInput): string {
  const described = BEHAVIORS.find((behavior) => behavior.name === input.behavior)?.instructions ?? '';
  return [
    `<behavior name="${input.behavior}">${described}</behavior>`,
    input.sessionContext,
    `<request>\n${input.userText}\n</request>`,
    `<response>\n${input.reply}\n</response>`,
  ].join('\n\n');
}

/** Asks the judge once. An abort goes up (the example is abandoned as any other); everything else is a warning. */
export async function judgeBehavior(requester: ModelRequester, judge: { readonly prompt: string; readonly sampling: Sampling }, input: BehaviorJudgeInput, signal: AbortSignal): Promise<BehaviorJudgement> {
  const answer = await askJudge(requester, {
    prompt: judge.prompt,
    material: material(input),
    schema: judgeReplySchema,
    expected: '{"shows": true|false, "reason"}',
    sampling: judge.sampling,
    signal,
  });
  if (!('reply' in answer)) return { issues: answer.issues };
  const { reply, result } = answer;
  const verdict: BehaviorVerdict = { shows: reply.shows, reason: verdictReason(reply.reason), provider: result.provider, model: result.model };
  return {
    verdict,
    issues: verdict.shows ? [] : [{ level: 'error', code: 'behavior-not-shown', message: `the judge found no ${input.behavior} in the response: ${verdict.reason}` }],
  };
}
