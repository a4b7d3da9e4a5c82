/**
 * The optional judge (`--judge`): one more request per finished conversation, to the `judge`
 * role, which scores it 1-5 on helpfulness, tool use and the faithfulness of the rewritten
 * reasoning to the original. Its reply is model output like any other: read with a schema, and
 * a reply that cannot be read is a warning on the conversation, never a discard or a crash.
 */
import { z } from 'zod';
import type { Sampling } from '../../core/types.js';
import type { JudgeVerdict, LabelIssue, SavedMessage } from '../../format/index.js';
import { findThinkBlocks } from '../../format/index.js';
import { askJudge, verdictReason } from '../ask-judge.js';
import { ADA_DEFAULT_SAMPLING } from './ada-roles.js';
import type { StepContext } from './request-step.js';

const score = z.coerce.number().int().min(1).max(5);
const judgeReplySchema = z.object({ helpfulness: score, tool_use: score, faithfulness: score, reason: z.string().min(1) });

export interface JudgeOutcome {
  readonly verdict?: JudgeVerdict;
  readonly issues: readonly LabelIssue[];
}

/** The conversation as the judge reads it; each rewritten reply is followed by the reasoning it replaced. */
export function judgeMaterial(messages: readonly SavedMessage[], originals: ReadonlyMap<number, string>): string {
  const parts = messages.map((message, index) => {
    const original = originals.get(index);
    const before = original === undefined ? '' : `\n<original_reasoning>\n${findThinkBlocks(original).map((block) => block.reasoning.trim()).join('\n')}\n</original_reasoning>`;
    return `<${message.role}>\n${message.content}\n</${message.role}>${before}`;
  });
  return `The conversation:\n\n${parts.join('\n\n')}`;
}

export interface JudgeSettings {
  readonly prompt: string;
  readonly minScore: number | undefined;
  /** @default ADA_DEFAULT_SAMPLING.judge (temperature 0) */
  readonly sampling?: Sampling;
}

/** Asks the judge once. An abort goes up (the conversation is abandoned as any other); everything else is a warning. */
export async function judgeConversation(context: StepContext, settings: JudgeSettings, originals: ReadonlyMap<number, string>): Promise<JudgeOutcome> {
  context.log.currentStep = 'judge';
  const answer = await askJudge(context.requester, {
    prompt: settings.prompt,
    material: judgeMaterial(context.log.messages, originals),
    schema: judgeReplySchema,
    expected: '{"helpfulness", "tool_use", "faithfulness": 1-5, "reason"}',
    sampling: settings.sampling ?? ADA_DEFAULT_SAMPLING.judge,
    signal: context.signal,
  });
  if (answer.result !== undefined) context.log.countRequest('judge', answer.result);
  if (!('reply' in answer)) return { issues: answer.issues };
  const { reply, result } = answer;
  const verdict: JudgeVerdict = {
    // A conversation is as good as its weakest part: a warm reply with a broken call is still a bad example.
    score: Math.min(reply.helpfulness, reply.tool_use, reply.faithfulness),
    helpfulness: reply.helpfulness,
    toolUse: reply.tool_use,
    faithfulness: reply.faithfulness,
    reason: verdictReason(reply.reason),
    provider: result.provider,
    model: result.model,
  };
  const low = settings.minScore !== undefined && verdict.score < settings.minScore;
  return {
    verdict,
    issues: low ? [{ level: 'error', code: 'judge-low-score', message: `the judge scored it ${verdict.score}, below --min-score ${settings.minScore}: ${verdict.reason}` }] : [],
  };
}
