/**
 * One defect at a time on a real conversation the daemon wrote: each variant is labelled false (or
 * warned about) with the right code, and the message names the message index concerned.
 */
import { describe, expect, it } from 'vitest';
import { findThinkBlocks, readToolCalls, visibleReply, type SavedConversation } from '../../src/format/index.js';
import { validateConversation, type ValidationContext, type ValidationIssue } from '../../src/validate/index.js';
import { conversationWithOneCall, withContent, withMessages } from './validate-fixtures.js';

const { conversation: base, callIndex, resultIndex } = conversationWithOneCall();
const messages = base.conversations;
const lastReply = messages.length - 1;
/** The first reply that calls no tool, so replacing it leaves the results where they were. */
const firstReply = messages.findIndex((message, index) => message.role === 'assistant' && index !== lastReply && !message.content.includes('<tool_call>'));
const firstUser = messages.findIndex((message) => message.role === 'user');

/** Reasoning and reply of a saved assistant message, split where the pipeline joined them. */
function parts(index: number): { think: string; reply: string } {
  const content = messages[index]?.content ?? '';
  const block = findThinkBlocks(content)[0];
  if (block === undefined) throw new Error(`message ${index} has no think block`);
  return { think: content.slice(block.start, block.end), reply: content.slice(block.end).trimStart() };
}

function issuesOf(conversation: SavedConversation, context: ValidationContext = {}): readonly ValidationIssue[] {
  return validateConversation(conversation, context).report.issues;
}

/** The variant is invalid, and an error with `code` names message `index`. */
function expectError(conversation: SavedConversation, code: string, index: number | undefined, context: ValidationContext = {}): ValidationIssue {
  const result = validateConversation(conversation, context);
  expect(result.label).toBe(false);
  const issue = result.report.issues.find((candidate) => candidate.code === code && candidate.level === 'error' && (index === undefined || candidate.messageIndex === index));
  expect(issue, JSON.stringify(result.report.issues, null, 1)).toBeDefined();
  if (index !== undefined) expect(issue?.message).toContain(`${index}`);
  return issue as ValidationIssue;
}

it('the conversation the variants start from is valid', () => {
  expect(issuesOf(base).filter((issue) => issue.level === 'error')).toEqual([]);
  expect(messages[callIndex]?.content).toContain('<tool_call>{"name": "add_memory"');
});

describe('roles and order', () => {
  it('two user messages in a row: role-order at the second', () => {
    const variant = withMessages(base, (list) => list.splice(firstUser + 1, 0, { role: 'user', content: 'Also, one more thing.' }));
    expectError(variant, 'role-order', firstUser + 1);
  });
  it('a system message in the middle: system-not-first', () => {
    const variant = withMessages(base, (list) => list.splice(firstReply + 1, 0, { role: 'system', content: 'Be brief.' }));
    expectError(variant, 'system-not-first', firstReply + 1);
  });
  it('a conversation that stops on the user: ends-without-reply', () => {
    const variant = withMessages(base, (list) => list.push({ role: 'user', content: 'Hello? Are you still there?' }));
    expectError(variant, 'ends-without-reply', messages.length);
  });
  it('a system prompt and a question with no reply: no-exchange', () => {
    const variant = withMessages(base, (list) => list.splice(firstUser + 1));
    expect(validateConversation(variant).report.issues.map((issue) => issue.code)).toEqual(['no-exchange']);
  });
});

describe('the reasoning block', () => {
  it('a reply without <think>: missing-think', () => {
    expectError(withContent(base, firstReply, parts(firstReply).reply), 'missing-think', firstReply);
  });
  it('a <think> never closed: unclosed-think', () => {
    expectError(withContent(base, firstReply, (content) => content.replace('</think>', '')), 'unclosed-think', firstReply);
  });
  it('a </think> without <think>: orphan-think-close', () => {
    expectError(withContent(base, firstReply, (content) => content.replace('<think>', '')), 'orphan-think-close', firstReply);
  });
  it('two blocks: multiple-think', () => {
    expectError(withContent(base, firstReply, (content) => `${content}\n<think>One more thought.</think>`), 'multiple-think', firstReply);
  });
  it('text before the block: text-before-think', () => {
    expectError(withContent(base, firstReply, (content) => `Sure! ${content}`), 'text-before-think', firstReply);
  });
  it('an empty block: empty-think', () => {
    expectError(withContent(base, firstReply, `<think>  </think>\n\n${parts(firstReply).reply}`), 'empty-think', firstReply);
  });
  it('one newline after </think>: think-not-separated', () => {
    const { think, reply } = parts(firstReply);
    const issue = expectError(withContent(base, firstReply, `${think}\n${reply}`), 'think-not-separated', firstReply);
    expect(issue.message).toContain('"\\n"');
  });
  it('nothing after </think>: empty-reply', () => {
    expectError(withContent(base, lastReply, `${parts(lastReply).think}\n\n`), 'empty-reply', lastReply);
  });
});

describe('tool calls and results', () => {
  const call = parts(callIndex);
  it('markup that cannot be read: tool-call-unparseable', () => {
    const variant = withContent(base, callIndex, `${call.think}\n\nNoting that.\n<tool_call>{"name": "add_memory", "arguments": {"input_text": </tool_call>`);
    expectError(variant, 'tool-call-unparseable', callIndex);
  });
  it('a tool nobody offered: tool-unknown', () => {
    const issue = expectError(withContent(base, callIndex, (content) => content.replace('"add_memory"', '"launch_rockets"')), 'tool-unknown', callIndex);
    expect(issue.message).toContain('launch_rockets');
  });
  it('arguments of the wrong type: tool-arguments-invalid, saying where and what', () => {
    const variant = withContent(base, callIndex, (content) => content.replace(/"input_text": \[[^\]]*\]/, '"input_text": "one string, not a list"'));
    const issue = expectError(variant, 'tool-arguments-invalid', callIndex);
    expect(issue.message).toContain('input_text: expected an array, got the text "one string, not a list"');
  });
  it('a required argument missing: tool-arguments-invalid', () => {
    const variant = withContent(base, callIndex, (content) => content.replace(/"input_text": \[[^\]]*\]/, '"text": ["x"]'));
    expect(expectError(variant, 'tool-arguments-invalid', callIndex).message).toContain('input_text: is required but missing');
  });
  it('the result removed: tool-result-missing', () => {
    const variant = withMessages(base, (list) => list.splice(resultIndex, 1));
    expectError(variant, 'tool-result-missing', callIndex);
  });
  it('a result after a reply that called nothing: tool-result-unexpected', () => {
    const variant = withMessages(base, (list) => list.splice(firstReply + 1, 0, { role: 'tool', content: 'Saved 1 memory.' }));
    expectError(variant, 'tool-result-unexpected', firstReply + 1);
  });
  it('a result without its record of success: tool-status-missing', () => {
    const records = (readToolCalls(base) ?? []).map(({ ok: _ok, ...record }) => record);
    expectError({ ...base, metadata: { ...base.metadata, toolCalls: records } }, 'tool-status-missing', resultIndex);
  });
  it('a tool that failed is a warning only', () => {
    const records = (readToolCalls(base) ?? []).map((record) => ({ ...record, ok: false }));
    const issues = issuesOf({ ...base, metadata: { ...base.metadata, toolCalls: records } });
    expect(issues.map((issue) => [issue.level, issue.code, issue.messageIndex])).toContainEqual(['warning', 'tool-failed', resultIndex]);
    expect(validateConversation({ ...base, metadata: { ...base.metadata, toolCalls: records } }).label).toBe(true);
  });
});

describe('content', () => {
  const reply = (index: number, text: string): SavedConversation => withContent(base, index, `${parts(index).think}\n\n${text}`);
  it('an empty user message: empty-message', () => {
    expectError(withContent(base, firstUser, '  '), 'empty-message', firstUser);
  });
  it.each([
    ['a replacement character', 'Try the caf\uFFFD on the corner.', 'U+FFFD'],
    ['a control character', 'Try the cafe\u0007 on the corner.', 'U+0007'],
    ['UTF-8 read as Latin-1', 'Try the cafÃ© on the corner, itâ€™s good.', 'Latin-1'],
    ['a long run without letters', `Here: ${'#$%&*'.repeat(8)}`, 'without a letter'],
  ])('%s in a reply: garbled-text', (_name, text, found) => {
    expect(expectError(reply(lastReply, text), 'garbled-text', lastReply).message).toContain(found);
  });
  it('garbled text in a user message: garbled-text', () => {
    expectError(withContent(base, firstUser, 'what \uFFFD\uFFFD about it'), 'garbled-text', firstUser);
  });
  it.each([
    ['an unclosed code fence', 'Run this:\n```python\nprint("hi")'],
    ['a chat template token', 'Sure thing!<|im_end|>'],
    ['a made-up tool response', 'Done.\n<tool_response>Saved</tool_response>'],
  ])('%s: unbalanced-markup', (_name, text) => {
    expectError(reply(lastReply, text), 'unbalanced-markup', lastReply);
  });
  it('a closed code fence is fine', () => {
    expect(issuesOf(reply(lastReply, 'Run this:\n```python\nprint("hi")\n```\nThen tell me.'))).toEqual([]);
  });
  it('a refusal: refusal', () => {
    const issue = expectError(reply(lastReply, "I'm sorry, but I can't help with that."), 'refusal', lastReply);
    expect(issue.message).toContain("I can't help with that");
  });
  it('the tester speaking as the assistant: tester-as-assistant', () => {
    expectError(withContent(base, firstUser, 'Hello! How can I help you today?'), 'tester-as-assistant', firstUser);
    expectError(withContent(base, firstUser, '<think>I should ask about lenses.</think> Which lens?'), 'tester-as-assistant', firstUser);
  });
  it('reply length out of the configured bounds: reply-too-long, reply-too-short', () => {
    const length = visibleReply(messages[lastReply]?.content ?? '').length;
    expectError(base, 'reply-too-long', lastReply, { bounds: { maxReplyCharacters: length - 1 } });
    expectError(base, 'reply-too-short', lastReply, { bounds: { minReplyCharacters: length + 1 } });
    const atTheBounds = issuesOf(base, { bounds: { maxReplyCharacters: length, minReplyCharacters: length } });
    expect(atTheBounds.filter((issue) => issue.messageIndex === lastReply)).toEqual([]);
  });
  it('a user message over its bound: message-too-long', () => {
    expectError(base, 'message-too-long', firstUser, { bounds: { maxUserCharacters: 5 } });
  });
  it('a long reply said again: repeated-reply (error), naming both messages', () => {
    const long = 'Start with the light: shoot in the morning or late afternoon, keep the sun behind you, and get down to eye level with them.';
    const variant = reply(firstReply, long);
    const again = withContent(variant, lastReply, `${parts(lastReply).think}\n\n${long.replace('them.', 'the kids.')}`);
    const issue = expectError(again, 'repeated-reply', lastReply);
    expect(issue.message).toContain(`repeats message ${firstReply}`);
  });
  it('a short stock reply said again: repeated-reply as a warning', () => {
    const variant = withContent(reply(firstReply, 'Done! Anything else?'), lastReply, `${parts(lastReply).think}\n\ndone, anything else`);
    const issues = issuesOf(variant);
    expect(issues.map((issue) => [issue.level, issue.code, issue.messageIndex])).toEqual([['warning', 'repeated-reply', lastReply]]);
  });
});

it('several defects at once are all reported, in the order of the checks', () => {
  const variant = withContent(withContent(base, firstReply, parts(firstReply).reply), firstUser, 'How can I help you today?');
  const codes = issuesOf(variant).map((issue) => issue.code);
  expect(codes).toEqual(['missing-think', 'tester-as-assistant']);
});
