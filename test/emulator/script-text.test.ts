import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { deriveFact } from '../../src/emulator/derive-fact.js';
import { detectRole } from '../../src/emulator/index.js';
import { buildScriptContext } from '../../src/emulator/script-context.js';
import { genericReply } from '../../src/emulator/scripted-model.js';
import { casualize, contentWords, thinkContent, visibleText } from '../../src/emulator/script-text.js';
import { renderToolCalls, type ScriptedToolCall } from '../../src/emulator/tool-call-formats.js';

describe('facts the assistant stores', () => {
  it.each([
    ["hey Ada, I'm allergic to peanuts. Please remember that.", 'The user is allergic to peanuts'],
    ['My sister is vegetarian and she is visiting next week.', "The user's sister is vegetarian and she is visiting next week"],
    ['ok so I signed up for a 10k in October.', 'The user mentioned they signed up for a 10k in October'],
    ['i want to cut down to one coffee a day', 'The user mentioned they want to cut down to one coffee a day'],
    ["I've never traveled alone before.", 'The user has never traveled alone before'],
    ['We adopted a rescue dog named Biscuit.', 'The user mentioned they adopted a rescue dog named Biscuit'],
  ])('"%s" is stored as "%s"', (message, fact) => {
    expect(deriveFact(message, [])).toBe(fact);
  });

  it('a message with only questions stores what was asked about', () => {
    expect(deriveFact('What shoes should I look at?', ['shoes', 'running'])).toBe('The user asked about shoes and running');
  });
});

describe('text helpers of the scripted model', () => {
  it('visible text drops reasoning and every tool-call markup', () => {
    const text = '<think>plan</think>\nSure!\n<tool_call>{"name": "x"}</tool_call>\ntool_call: y\narguments: {}\n[TOOL_CALLS] [{}]';
    expect(visibleText(text)).toBe('Sure!');
    expect(thinkContent('before <think> the plan </think> after')).toBe('the plan');
    expect(thinkContent('no tags here')).toBe('no tags here');
  });

  it('content words skip short and common words and keep their order', () => {
    expect(contentWords('Thanks! Try fingerpicking exercises with a metronome, really.')).toEqual(['fingerpicking', 'exercises', 'metronome']);
  });

  it('casual styling is seeded: the same seed styles a message the same way', () => {
    const message = 'I just bought a French press. What ratio should I use?';
    const styled = Array.from({ length: 50 }, (_, seed) => casualize(createRandom(seed), message));
    expect(Array.from({ length: 50 }, (_, seed) => casualize(createRandom(seed), message))).toEqual(styled);
    expect(new Set(styled).size).toBeGreaterThan(3);
  });

  it('several calls render in each format as models write them', () => {
    const calls: ScriptedToolCall[] = [
      { name: 'recall_memories', arguments: {} },
      { name: 'delete_memory', arguments: { indices: [1] } },
    ];
    expect(renderToolCalls(calls, 'hermes')).toBe(
      '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>\n<tool_call>{"name": "delete_memory", "arguments": {"indices": [1]}}</tool_call>',
    );
    expect(renderToolCalls(calls, 'python')).toBe('<tool_call>recall_memories()</tool_call>\n<tool_call>delete_memory(indices=[1])</tool_call>');
    expect(renderToolCalls(calls, 'mistral')).toBe(
      '[TOOL_CALLS] [{"name": "recall_memories", "arguments": {}}, {"name": "delete_memory", "arguments": {"indices": [1]}}]',
    );
    expect(renderToolCalls(calls, 'plain')).toBe('tool_call: recall_memories\narguments: {}\n\ntool_call: delete_memory\narguments: {"indices": [1]}');
  });

  it('the role comes from the model name first, then from the system prompt', () => {
    expect(detectRole('qwen-rewriter', 'Use <tool_call> tags')).toBe('rewriter');
    expect(detectRole('qwen', 'Use <tool_call> tags')).toBe('assistant');
    expect(detectRole('qwen', '# Rewrite the reasoning')).toBe('rewriter');
    expect(detectRole('qwen', 'You are playing a person')).toBe('tester');
  });

  it("the dry run's offline-<role> names any pipeline's role; one it does not script gets a generic reply quoting the request", () => {
    expect(detectRole('offline-tester', 'Use <tool_call> tags')).toBe('tester');
    expect(detectRole('offline-echo', 'Use <tool_call> tags')).toBe('echo');
    const context = buildScriptContext('offline-echo', [{ role: 'user', content: '  say it back  ', contentIsString: true, toolCallIds: undefined, toolCallId: undefined, prefix: false }]);
    expect(genericReply('echo', context)).toBe('Scripted echo reply to: say it back');
    expect(genericReply('judge', buildScriptContext('offline-judge', []))).toBe('Scripted judge reply.');
  });
});
