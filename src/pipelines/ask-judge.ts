/**
 * One request to a pipeline's `judge` role, read as model output like any other: the JSON in its
 * reply checked with a schema. A reply that cannot be read, or a judge that cannot be reached, is
 * a warning issue on the conversation, never a discard or a crash; an abort goes up, so the
 * conversation is abandoned as any other.
 */
import type { z } from 'zod';
import { isProviderError } from '../core/errors.js';
import type { ChatResult, ModelRequester, Sampling } from '../core/types.js';
import type { LabelIssue } from '../format/index.js';

/** The JSON object in `text` (its first `{` to its last `}`) checked with `schema`; undefined when it is not there. */
export function readJsonReply<Schema extends z.ZodType>(text: string, schema: Schema): z.infer<Schema> | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The judge's reason as kept in a verdict: its first line, at most 300 characters, so a rambling judge does not bloat every line. */
export function verdictReason(reason: string): string {
  return reason.split('\n')[0]!.trim().slice(0, 300);
}

export interface JudgeQuestion<Schema extends z.ZodType> {
  readonly prompt: string;
  readonly material: string;
  readonly schema: Schema;
  /** The reply's shape in words, for the `judge-unreadable` warning. */
  readonly expected: string;
  /** The judge role's sampling this run (temperature 0 unless configured). */
  readonly sampling: Sampling;
  readonly signal: AbortSignal;
}

export type JudgeAnswer<Reply> =
  | { readonly reply: Reply; readonly result: ChatResult }
  | { readonly issues: readonly LabelIssue[]; readonly result?: ChatResult };

export async function askJudge<Schema extends z.ZodType>(requester: ModelRequester, question: JudgeQuestion<Schema>): Promise<JudgeAnswer<z.infer<Schema>>> {
  let result: ChatResult;
  try {
    result = await requester.complete({
      role: 'judge',
      messages: [
        { role: 'system', content: question.prompt },
        { role: 'user', content: question.material },
      ],
      ...question.sampling,
      signal: question.signal,
    });
  } catch (error) {
    if (question.signal.aborted || !isProviderError(error) || error.kind === 'aborted') throw error;
    return { issues: [{ level: 'warning', code: 'judge-unavailable', message: `the judge could not be asked: ${error.message}` }] };
  }
  const reply = readJsonReply(result.text, question.schema);
  if (reply === undefined) {
    const start = result.text.trim().slice(0, 120);
    return { result, issues: [{ level: 'warning', code: 'judge-unreadable', message: `expected ${question.expected} from the judge, got: ${JSON.stringify(start)}` }] };
  }
  return { reply, result };
}
