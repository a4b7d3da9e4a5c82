import { integerBetween, type Random } from '../core/random.js';
import type { ScriptContext } from './script-context.js';

/** Words of the judge prompt (systemprompts/judge.md) that tell its requests apart from the other roles'. */
export const JUDGE_PROMPT_MARKER = 'You are the judge of a training conversation';

const REFUSAL = /I(?:'m| am) sorry, but I can(?:'|no)t/i;
const BAD_ARGUMENTS = /"input_text":\s*\d/;
const TOOL_CALL = /<tool_call>/;

/**
 * The judge's scores as JSON, read from the conversation it is shown: a refusal is unhelpful, a
 * call with broken arguments is bad tool use, anything else scores 3 to 5 by chance, so a
 * `--min-score` run has conversations on both sides of its bar.
 */
export function judgeReply(random: Random, context: ScriptContext): string {
  const text = context.lastUserText;
  const refused = REFUSAL.test(text);
  const badCall = BAD_ARGUMENTS.test(text);
  const helpfulness = refused ? 1 : integerBetween(random, 3, 5);
  const toolUse = badCall ? 1 : TOOL_CALL.test(text) ? integerBetween(random, 3, 5) : 5;
  const faithfulness = integerBetween(random, 3, 5);
  const reason = refused ? 'Ada refuses a harmless request.' : badCall ? 'A tool call has arguments that do not fit the tool.' : 'A friendly, relevant answer.';
  return JSON.stringify({ helpfulness, tool_use: toolUse, faithfulness, reason });
}
