/**
 * The optional judge (`--judge`): one more request per finished conversation, to the `judge`
 * role, which scores it 1-5 on helpfulness, tool use and the faithfulness of the rewritten
 * reasoning to the original. Its reply is model output like any other: read with a schema, and
 * a reply that cannot be read is a warning on the conversation, never a discard or a crash.
 */
import { z } from 'zod';
import { isProviderError } from '../../core/errors.js';
import type { ChatResult } from '../../core/types.js';
import type { JudgeVerdict, LabelIssue, SavedMessage } from '../../format/index.js';
import { findThinkBlocks } from '../../format/index.js';
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

/** Reads the judge's JSON: the first `{` to the last `}`, checked with a schema; undefined when it is not there. */
export function readJudgeReply(text: string): z.infer<typeof judgeReplySchema> | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = judgeReplySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface JudgeSettings {
  readonly prompt: string;
  readonly minScore: number | undefined;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

/** Asks the judge once. An abort goes up (the conversation is abandoned as any other); everything else is a warning. */
export async function judgeConversation(context: StepContext, settings: JudgeSettings, originals: ReadonlyMap<number, string>): Promise<JudgeOutcome> {
  context.log.currentStep = 'judge';
  let result: ChatResult;
  try {
    result = await context.requester.complete({
      role: 'judge',
      messages: [
        { role: 'system', content: settings.prompt },
        { role: 'user', content: judgeMaterial(context.log.messages, originals) },
      ],
      temperature: settings.temperature ?? 0,
      maxTokens: settings.maxTokens ?? 300,
      signal: context.signal,
    });
  } catch (error) {
    if (context.signal.aborted || !isProviderError(error) || error.kind === 'aborted') throw error;
    return { issues: [{ level: 'warning', code: 'judge-unavailable', message: `the judge could not be asked: ${error.message}` }] };
  }
  context.log.countRequest('judge', result);
  const reply = readJudgeReply(result.text);
  if (reply === undefined) {
    const start = result.text.trim().slice(0, 120);
    return { issues: [{ level: 'warning', code: 'judge-unreadable', message: `expected {"helpfulness", "tool_use", "faithfulness": 1-5, "reason"} from the judge, got: ${JSON.stringify(start)}` }] };
  }
  const verdict: JudgeVerdict = {
    // A conversation is as good as its weakest part: a warm reply with a broken call is still a bad example.
    score: Math.min(reply.helpfulness, reply.tool_use, reply.faithfulness),
    helpfulness: reply.helpfulness,
    toolUse: reply.tool_use,
    faithfulness: reply.faithfulness,
    reason: reply.reason.split('\n')[0]!.trim().slice(0, 300),
    provider: result.provider,
    model: result.model,
  };
  const low = settings.minScore !== undefined && verdict.score < settings.minScore;
  return {
    verdict,
    issues: low ? [{ level: 'error', code: 'judge-low-score', message: `the judge scored it ${verdict.score}, below --min-score ${settings.minScore}: ${verdict.reason}` }] : [],
  };
}
