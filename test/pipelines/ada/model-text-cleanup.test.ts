import { describe, expect, it } from 'vitest';
import { cleanTesterMessage, testerLabels } from '../../../src/pipelines/ada/clean-tester-message.js';
import { generateSimulatedUser } from '../../../src/pipelines/ada/index.js';
import {
  extractRewrittenReasoning,
  findThinkBlocks,
  normalizeThinking,
  removeThinking,
  replaceThinkBlocks,
  visibleReply,
} from '../../../src/format/index.js';

const LABELS = testerLabels({ ...generateSimulatedUser(1, 0), name: 'Maya K.' });

describe("cleaning what the tester wrote", () => {
  it.each([
    ['<think>I am the user, ask about dogs.</think>\nmy dog barks at bikes', 'my dog barks at bikes'],
    ['User: my dog barks at bikes', 'my dog barks at bikes'],
    ['**User:** my dog barks at bikes', 'my dog barks at bikes'],
    ['Maya: my dog barks at bikes', 'my dog barks at bikes'],
    ['**Maya K.**: my dog barks at bikes', 'my dog barks at bikes'],
    ['planning the reply</think>my dog barks at bikes', 'my dog barks at bikes'],
    ['"my dog barks at bikes"', 'my dog barks at bikes'],
    ['quick question: my dog barks at bikes', 'quick question: my dog barks at bikes'],
    ['Note: my dog barks at bikes', 'Note: my dog barks at bikes'],
  ])('%j becomes the plain message', (raw, expected) => {
    expect(cleanTesterMessage(raw, LABELS)).toEqual({ ok: true, text: expected });
  });

  it.each([
    ['', 'empty_reply'],
    ['   ', 'empty_reply'],
    ['<think>only reasoning</think>', 'empty_reply'],
    ['<think>cut off while thinking', 'empty_reply'],
    ['User:', 'empty_reply'],
    ['Ada: Sure, I can help with that!', 'tester_broke_role'],
    ['my dog barks\nAssistant: Have you tried treats?', 'tester_broke_role'],
    ['**Ada**: hello', 'tester_broke_role'],
    ['remember this <tool_call>{"name": "add_memory", "arguments": {"input_text": ["x"]}}</tool_call>', 'tester_broke_role'],
    ['<tool_response>\nSaved.\n</tool_response>', 'tester_broke_role'],
  ])('%j is refused as %s', (raw, reason) => {
    const checked = cleanTesterMessage(raw, LABELS);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? undefined : checked.reason).toBe(reason);
  });
});

describe('reasoning blocks', () => {
  it('the visible reply has no reasoning and no tool-call markup', () => {
    const text = '<think>plan</think>\nNoted!\n<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>';
    expect(visibleReply(text)).toBe('Noted!');
    expect(removeThinking(text)).toBe('Noted!\n<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>');
  });

  it('a reply whose opening tag was in the prompt gets it back; a well-formed reply is left as it is', () => {
    expect(normalizeThinking('plan</think>\nHi!')).toBe('<think>plan</think>\nHi!');
    expect(normalizeThinking('<think>plan</think>\nHi!')).toBe('<think>plan</think>\nHi!');
    expect(normalizeThinking('Hi, no reasoning.')).toBe('Hi, no reasoning.');
  });

  it('replacing blocks changes only the reasoning, byte for byte around it', () => {
    const text = 'A <think>one</think> B\n<think>two</think>\n C ';
    const blocks = findThinkBlocks(text);
    expect(blocks.map((block) => block.reasoning)).toEqual(['one', 'two']);
    expect(replaceThinkBlocks(text, blocks, ['1', '2'])).toBe('A <think>1</think> B\n<think>2</think>\n C ');
  });

  it.each([
    ['<think>Better reasoning.</think>', 'Better reasoning.'],
    ['Better reasoning.', 'Better reasoning.'],
    ['<think>Let me rewrite it.</think>\n<think>Better reasoning.</think>', 'Better reasoning.'],
    ['<think>Better reasoning.', 'Better reasoning.'],
    ['Better</think> reasoning.', 'Better'],
    ['<think>   </think>', ''],
    ['', ''],
  ])('the rewriter answer %j yields the reasoning %j', (answer, expected) => {
    expect(extractRewrittenReasoning(answer)).toBe(expected);
  });
});
