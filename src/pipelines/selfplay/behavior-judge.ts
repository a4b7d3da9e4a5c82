/**
 * The judge model for the behaviors a rule cannot tell (`--judge`): strategic tool selection and
 * workspace awareness are about which sound call is the right one, which only a reader of the
 * workspace and the request can say. Its reply is model output like any other: read with a schema;
 * one that cannot be read, or a judge that cannot be reached, is a warning, never a discard.
 */
import { z } from 'zod';
import { isProviderError } from '../../core/errors.js';
import type { ModelRequester } from '../../core/types.js';
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
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return undefined;
  try {
    const parsed = judgeReplySchema.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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
export async function judgeBehavior(requester: ModelRequester, prompt: string, input: BehaviorJudgeInput, signal: AbortSignal): Promise<BehaviorJudgement> {
  let text: string;
  let provider: string;
  let model: string;
  try {
    const result = await requester.complete({
      role: 'judge',
      messages: [
        { role: 'system', content: prompt },
        { role: 'user', content: material(input) },
      ],
      temperature: 0,
      maxTokens: 200,
      signal,
    });
    ({ text, provider, model } = result);
  } catch (error) {
    if (signal.aborted || !isProviderError(error) || error.kind === 'aborted') throw error;
    return { issues: [{ level: 'warning', code: 'judge-unavailable', message: `the judge could not be asked: ${error.message}` }] };
  }
  const reply = readBehaviorVerdict(text);
  if (reply === undefined) {
    return { issues: [{ level: 'warning', code: 'judge-unreadable', message: `expected {"shows": true|false, "reason"} from the judge, got: ${JSON.stringify(text.trim().slice(0, 120))}` }] };
  }
  const verdict: BehaviorVerdict = { shows: reply.shows, reason: reply.reason.split('\n')[0]!.trim().slice(0, 300), provider, model };
  return {
    verdict,
    issues: verdict.shows ? [] : [{ level: 'error', code: 'behavior-not-shown', message: `the judge found no ${input.behavior} in the response: ${verdict.reason}` }],
  };
}
