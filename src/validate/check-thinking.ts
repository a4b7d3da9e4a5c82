/**
 * The reasoning of each assistant reply, as the pipeline saves it: one closed `<think>` block at
 * the start, a blank line, then a non-empty reply (`separateReasoning` in src/format writes that
 * form). Regions come from `findThinkRegions`, the walk every reader of the format shares.
 */
import { findThinkRegions, type SavedConversation } from '../format/index.js';
import type { ValidationIssue } from './validation-types.js';

/** Exactly one blank line, then the reply's first visible character. */
const SEPARATED_REPLY = /^\n\n\S/;

function checkReply(content: string, index: number): ValidationIssue[] {
  const regions = findThinkRegions(content);
  const where = `Assistant message ${index}`;
  const first = regions[0];
  if (first === undefined) {
    return [{ level: 'error', code: 'missing-think', messageIndex: index, message: `${where} has no <think> block; every reply starts with its reasoning in <think>…</think>.` }];
  }
  const issues: ValidationIssue[] = [];
  const error = (code: ValidationIssue['code'], message: string): void => {
    issues.push({ level: 'error', code, messageIndex: index, message: `${where} ${message}` });
  };
  if (regions.some((region) => region.kind === 'unclosed')) {
    error('unclosed-think', 'has a <think> that is never closed: the reply was cut off while reasoning, or </think> is missing.');
  }
  if (first.kind === 'orphan') {
    error('orphan-think-close', 'has a </think> with no <think> before it (the opening tag stayed in the prompt).');
  }
  const closed = regions.filter((region) => region.kind === 'closed').length;
  if (closed > 1) error('multiple-think', `has ${closed} <think> blocks; a reply has exactly one, at its start.`);
  if (first.kind !== 'closed') return issues;
  const before = content.slice(0, first.start).trim();
  if (before.length > 0) error('text-before-think', `has text before its <think> block: "${before.slice(0, 40)}".`);
  if (content.slice(first.innerStart, first.innerEnd).trim().length === 0) error('empty-think', 'has an empty <think> block.');
  const after = content.slice(first.end);
  if (after.trim().length === 0) {
    error('empty-reply', 'has reasoning but no reply after </think>.');
  } else if (!SEPARATED_REPLY.test(after)) {
    const found = JSON.stringify(/^\s*/.exec(after)?.[0] ?? '');
    error('think-not-separated', `has ${found} between </think> and the reply; expected one blank line ("\\n\\n").`);
  }
  return issues;
}

export function checkThinking(conversation: SavedConversation): ValidationIssue[] {
  return conversation.conversations.flatMap((message, index) => (message.role === 'assistant' ? checkReply(message.content, index) : []));
}
