import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SavedMessage } from '../../../src/format/index.js';
import {
  TESTER_KICKOFF,
  alternateRoles,
  shapeAssistantRequest,
  shapeRewriterRequest,
  shapeTesterRequest,
} from '../../../src/pipelines/ada/index.js';
import { wireRuleViolation } from './wire-rules.js';

const SYSTEM: SavedMessage = { role: 'system', content: 'You are Ada.' };

/** Two turns; the first with two tool rounds (two results, then one), the second with none. */
const WITH_TOOL_ROUNDS: SavedMessage[] = [
  SYSTEM,
  { role: 'user', content: 'I am allergic to peanuts. Do you remember my dog?' },
  {
    role: 'assistant',
    content:
      '<think>Save the allergy, then recall.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Allergic to peanuts"]}}</tool_call>\n<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>',
  },
  { role: 'tool', content: 'Saved 1 memory (number 1).' },
  { role: 'tool', content: 'Memories:\n1. Allergic to peanuts' },
  { role: 'assistant', content: '<think>No dog saved.</think>\n[TOOL_CALLS] [{"name": "recall_diary", "arguments": {}}]' },
  { role: 'tool', content: 'No diary entries yet.' },
  { role: 'assistant', content: '<think>Nothing about a dog.</think>\nI saved the allergy, but I have nothing about a dog yet.' },
  { role: 'user', content: 'his name is Biscuit' },
  { role: 'assistant', content: '<think>Nice name.</think>\nBiscuit is a great name!' },
];

describe('what is sent to Ada', () => {
  it('a conversation with tool rounds is sent as system + strict alternation ending with user, results as <tool_response>', () => {
    const sent = shapeAssistantRequest(WITH_TOOL_ROUNDS.slice(0, 7));
    expect(wireRuleViolation(sent)).toBeUndefined();
    expect(sent.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(sent[3]?.content).toBe(
      '<tool_response>\nSaved 1 memory (number 1).\n</tool_response>\n<tool_response>\nMemories:\n1. Allergic to peanuts\n</tool_response>',
    );
    expect(sent[5]?.content).toBe('<tool_response>\nNo diary entries yet.\n</tool_response>');
    expect(sent.some((message) => (message.role as string) === 'tool')).toBe(false);
  });

  it('reasoning of the current turn is kept for the continuation, reasoning of earlier turns is left out', () => {
    const currentTurn = shapeAssistantRequest(WITH_TOOL_ROUNDS.slice(0, 4));
    expect(currentTurn[2]?.content).toContain('<think>Save the allergy, then recall.</think>');

    const nextTurn = shapeAssistantRequest(WITH_TOOL_ROUNDS.slice(0, 9));
    expect(wireRuleViolation(nextTurn)).toBeUndefined();
    const assistantTexts = nextTurn.filter((message) => message.role === 'assistant').map((message) => message.content);
    expect(assistantTexts).toHaveLength(3);
    for (const text of assistantTexts) expect(text).not.toContain('<think>');
    expect(assistantTexts[0]).toContain('<tool_call>{"name": "add_memory"');
    expect(nextTurn[nextTurn.length - 1]).toEqual({ role: 'user', content: 'his name is Biscuit' });
  });

  it('a request that would end with the assistant is refused before it reaches any API', () => {
    expect(() => shapeAssistantRequest(WITH_TOOL_ROUNDS)).toThrow(/start and end with a user message/);
    expect(() => alternateRoles([{ role: 'assistant', content: 'hi' }, { role: 'user', content: 'hello' }])).toThrow(
      /start and end with a user message/,
    );
  });

  it('consecutive messages of one role are merged and empty ones dropped', () => {
    const shaped = alternateRoles([
      { role: 'system', content: 'A' },
      { role: 'user', content: 'one' },
      { role: 'assistant', content: '   ' },
      { role: 'user', content: 'two' },
    ]);
    expect(shaped).toEqual([
      { role: 'system', content: 'A' },
      { role: 'user', content: 'one\n\ntwo' },
    ]);
  });

  it('the rewriter gets its instructions and one user message', () => {
    expect(shapeRewriterRequest('Rewrite.', '<think>x</think>')).toEqual([
      { role: 'system', content: 'Rewrite.' },
      { role: 'user', content: '<think>x</think>' },
    ]);
  });
});

describe("the tester's view", () => {
  it('starts with the kickoff, flips roles, hides reasoning, tool calls and results, and ends on user', () => {
    const view = shapeTesterRequest('You are Maya.', WITH_TOOL_ROUNDS);
    expect(wireRuleViolation(view)).toBeUndefined();
    expect(view).toEqual([
      { role: 'system', content: 'You are Maya.' },
      { role: 'user', content: TESTER_KICKOFF },
      { role: 'assistant', content: 'I am allergic to peanuts. Do you remember my dog?' },
      { role: 'user', content: 'Noted!\n\nI saved the allergy, but I have nothing about a dog yet.' },
      { role: 'assistant', content: 'his name is Biscuit' },
      { role: 'user', content: 'Biscuit is a great name!' },
    ]);
  });

  it('before the first message it is the system prompt and the kickoff only', () => {
    expect(shapeTesterRequest('You are Maya.', [SYSTEM])).toEqual([
      { role: 'system', content: 'You are Maya.' },
      { role: 'user', content: TESTER_KICKOFF },
    ]);
  });
});

/** Text that is never blank; the user's is cleaned of markup before it is saved, Ada's is not. */
const userText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).map((value) => `w ${value.replace(/[<[]/g, '')}`),
  fc.constantFrom('hello', 'a\n\nb'),
);
const text = fc.oneof(userText, fc.constantFrom('ok <think>hm</think> sure'));
const toolCall = fc.constantFrom(
  '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>',
  '[TOOL_CALLS] [{"name": "recall_diary", "arguments": {}}]',
  'tool_call: recall_memories',
  '<tool_call>add_memory(input_text=["x"])</tool_call>',
);
interface Round {
  readonly call: string;
  readonly reasoning: boolean;
  readonly results: readonly string[];
}
interface Turn {
  readonly user: string;
  readonly rounds: readonly Round[];
  readonly reply: string;
  readonly reasoning: boolean;
}
const round: fc.Arbitrary<Round> = fc.record({
  call: toolCall,
  reasoning: fc.boolean(),
  results: fc.array(text, { minLength: 1, maxLength: 3 }),
});
const turn: fc.Arbitrary<Turn> = fc.record({
  user: userText,
  rounds: fc.array(round, { maxLength: 3 }),
  reply: text,
  reasoning: fc.boolean(),
});

/**
 * Builds a saved conversation the way the pipeline does (every turn ends on a visible reply) and
 * returns the conversation as it stood before each assistant request, then the whole of it.
 */
function buildConversation(turns: readonly Turn[]): SavedMessage[][] {
  const saved: SavedMessage[] = [SYSTEM];
  const assistantRequests: SavedMessage[][] = [];
  for (const current of turns) {
    saved.push({ role: 'user', content: current.user });
    for (const step of current.rounds) {
      assistantRequests.push([...saved]);
      saved.push({ role: 'assistant', content: `${step.reasoning ? '<think>plan</think>\n' : ''}${step.call}` });
      for (const result of step.results) saved.push({ role: 'tool', content: result });
    }
    assistantRequests.push([...saved]);
    saved.push({ role: 'assistant', content: `${current.reasoning ? '<think>why</think>\n' : ''}${current.reply}` });
  }
  assistantRequests.push(saved);
  return assistantRequests;
}

describe('property: every request the pipeline can make satisfies the strictest rules', () => {
  it('for any conversation with any tool rounds, Ada and tester requests alternate and end with user', () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 4 }), (turns) => {
        const snapshots = buildConversation(turns);
        const whole = snapshots[snapshots.length - 1] as SavedMessage[];
        for (const snapshot of snapshots.slice(0, -1)) {
          const sent = shapeAssistantRequest(snapshot);
          expect(wireRuleViolation(sent)).toBeUndefined();
          expect(sent.every((message) => ['system', 'user', 'assistant'].includes(message.role))).toBe(true);
        }
        const view = shapeTesterRequest('persona', whole);
        expect(wireRuleViolation(view)).toBeUndefined();
        for (const message of view) expect(message.content).not.toMatch(/<tool_call>|\[TOOL_CALLS\]|<think>/);
      }),
      { numRuns: 300 },
    );
  });
});
