import { parseToolCalls, type ToolCatalogue } from '../../format/index.js';
import type { Behavior, ExamplePlan } from './selfplay-mix.js';

/**
 * Whether a response does what its example asks, by rule: a tool-based example wants exactly one
 * call that parses, names a listed tool and has arguments its schema accepts (and, executed in the
 * sandbox, succeeds); a behavioral one wants its behavior: a question where the request is unclear
 * or destructive, a look before acting, a well-chosen call. Each problem is an issue with a stable
 * code, so labels can be counted and checked against what the emulator injected.
 */

export interface ResponseIssue {
  readonly level: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
}

export interface OfferedTool {
  readonly name: string;
  /** The tool's argument problems for these arguments, none when they fit its schema. */
  argumentProblems(args: unknown): readonly string[];
}

export interface JudgedCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface Judgement {
  readonly issues: readonly ResponseIssue[];
  /** The one call to execute, when there is one and it passed every check before execution. */
  readonly call?: JudgedCall;
}

/** Behaviors shown by asking rather than acting. */
const ASKING_BEHAVIORS: ReadonlySet<Behavior> = new Set(['intellectual-humility', 'verification-before-action']);

/** Whether the rules here can tell the behavior; the others need the judge model (`--judge`). */
export function ruleTellsBehavior(behavior: Behavior): boolean {
  return ASKING_BEHAVIORS.has(behavior) || behavior === 'error-recovery';
}
const LOOKING_TOOL = /(list|search|read|get|find|tree|info)/i;

export function judgeResponse(reply: string, plan: ExamplePlan, tools: ReadonlyMap<string, OfferedTool>, catalogue: ToolCatalogue): Judgement {
  const issues: ResponseIssue[] = [];
  const { calls, errors } = parseToolCalls(reply, { catalogue });
  for (const error of errors) issues.push({ level: 'error', code: 'call-unparsable', message: `a tool call could not be read: ${error.message}` });
  if (calls.length > 1) issues.push({ level: 'error', code: 'several-calls', message: `one tool call expected, found ${calls.length}` });
  const asks = calls.length === 0 && errors.length === 0 && /\?\s*$/.test(reply.trim());
  if (plan.type === 'behavioral' && ASKING_BEHAVIORS.has(plan.behavior)) {
    if (!asks) issues.push({ level: 'error', code: 'behavior-not-shown', message: `${plan.behavior} wants a question before any action; the response ${calls.length > 0 ? 'acts at once' : 'asks nothing'}` });
    return { issues };
  }
  if (calls.length === 0) {
    if (errors.length === 0 && !(plan.type === 'behavioral' && asks)) {
      issues.push({ level: 'error', code: 'no-tool-call', message: 'the response makes no tool call' });
    }
    return { issues };
  }
  const call = calls[0] as JudgedCall;
  const tool = tools.get(call.name);
  if (tool === undefined) {
    issues.push({ level: 'error', code: 'unknown-tool', message: `"${call.name}" is not one of the offered tools` });
    return { issues };
  }
  const problems = tool.argumentProblems(call.arguments);
  if (problems.length > 0) issues.push({ level: 'error', code: 'bad-arguments', message: `arguments of ${call.name}: ${problems.join('; ')}` });
  if (plan.type === 'behavioral' && plan.behavior === 'error-recovery' && !LOOKING_TOOL.test(call.name)) {
    issues.push({ level: 'error', code: 'behavior-not-shown', message: `error-recovery wants a look before acting; ${call.name} changes the workspace` });
  }
  return issues.some((issue) => issue.level === 'error') ? { issues } : { issues, call };
}
