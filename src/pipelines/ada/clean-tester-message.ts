/**
 * What the tester model wrote, turned into the simulated user's message: reasoning and role
 * labels it leaked are removed; a message that speaks for Ada is refused.
 */
import { parseToolCalls, removeThinking } from '../../format/index.js';
import type { SimulatedUser } from './simulated-users.js';

export type TesterMessageCheck =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'empty_reply' | 'tester_broke_role'; readonly detail: string };

/** `User:`, `**User:**`, `**Maya K.**:` at the very start: a label before the message. */
const LEADING_LABEL_PATTERN = /^\s*(?:\*\*|__)?([A-Za-z][A-Za-z .'-]{0,40}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*/;
/** A line that starts with Ada's label: the tester wrote (part of) Ada's turn. */
const ASSISTANT_LINE_PATTERN = /^[ \t]*(?:\*\*|__)?(?:ada|assistant|ai assistant|ai)(?:\*\*|__)?[ \t]*:/im;
const TOOL_RESPONSE_PATTERN = /<\/?tool_response>/i;
const WRAPPING_QUOTES_PATTERN = /^"([^"]*)"$|^“([^”]*)”$/;

const USER_LABELS: ReadonlySet<string> = new Set(['user', 'me', 'human', 'you', 'simulated user', 'the user', 'customer']);

/** The labels a tester may put before its message for `user`; built once per conversation. */
export function testerLabels(user: SimulatedUser): ReadonlySet<string> {
  const name = user.name.toLowerCase();
  const firstName = name.split(' ')[0] ?? name;
  return new Set([...USER_LABELS, name, firstName]);
}

function stripLeadingLabel(text: string, labels: ReadonlySet<string>): string {
  const match = LEADING_LABEL_PATTERN.exec(text);
  const label = match?.[1]?.trim().toLowerCase();
  if (match === null || label === undefined || !labels.has(label)) return text;
  return text.slice(match[0].length);
}

function unwrapQuotes(text: string): string {
  const match = WRAPPING_QUOTES_PATTERN.exec(text);
  return match === null ? text : (match[1] ?? match[2] ?? text).trim();
}

function brokeRole(text: string): string | undefined {
  if (ASSISTANT_LINE_PATTERN.test(text)) return 'the tester wrote a line as the assistant';
  if (TOOL_RESPONSE_PATTERN.test(text)) return 'the tester wrote a tool response';
  const parsed = parseToolCalls(text);
  if (parsed.calls.length > 0 || parsed.errors.length > 0) return 'the tester wrote a tool call';
  return undefined;
}

/** Cleans one tester reply, or says why it cannot be the user's message. */
export function cleanTesterMessage(raw: string, labels: ReadonlySet<string>): TesterMessageCheck {
  const withoutThinking = removeThinking(raw);
  const text = unwrapQuotes(stripLeadingLabel(withoutThinking, labels).trim());
  if (text.length === 0) return { ok: false, reason: 'empty_reply', detail: 'the tester wrote no message' };
  const broke = brokeRole(text);
  if (broke !== undefined) return { ok: false, reason: 'tester_broke_role', detail: broke };
  return { ok: true, text };
}
