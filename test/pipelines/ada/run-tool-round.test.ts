import { afterEach, describe, expect, it } from 'vitest';
import type { SavedConversation } from '../../../src/format/index.js';
import { createPipelineFixture, toolCallsOf, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const TESTER = () => 'my sister visits next week and she is vegetarian';
const ADD_SISTER = '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}</tool_call>';
const RECALL = '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>';

/** One turn in which Ada's first reply is `reply` and her continuation closes the turn. */
async function conversationWith(reply: string, conversationId: string): Promise<SavedConversation> {
  fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
  const requester = createScriptedRequester({
    tester: TESTER,
    assistant: (_request, count) => (count === 1 ? reply : '<think>Done.</think>\nAll noted.'),
    rewriter: echoRewriter,
  });
  return fixture.pipeline.run({ conversationId, requester, signal: new AbortController().signal });
}

describe('the calls of one reply run in the order the reply wrote them', () => {
  it('a call planned word for word in the reasoning still runs where the reply wrote it, after the call before it', async () => {
    const reply = `<think>First look, then ${ADD_SISTER} to save it.</think>\nLet me check.\n${RECALL}\n${ADD_SISTER}`;
    const saved = await conversationWith(reply, 'planned-in-reasoning');
    expect(toolCallsOf(saved).map((call) => [call.name, call.resultIndex])).toEqual([
      ['recall_memories', 3],
      ['add_memory', 4],
    ]);
    // The recall ran first, so it saw nothing yet; the other order would list the new memory.
    expect(saved.conversations[3]?.content).toBe('No memories saved yet.');
    expect(saved.conversations[4]?.content).toMatch(/^Saved 1 memory/);
  });

  it('a failed call in the middle of a [TOOL_CALLS] list gets its result between the two calls around it', async () => {
    const list =
      '[TOOL_CALLS] [{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}, ' +
      '{"arguments": {}}, {"name": "recall_memories", "arguments": {}}]';
    const saved = await conversationWith(`<think>Save, then check.</think>\n${list}`, 'failed-in-list');
    const calls = toolCallsOf(saved);
    expect(calls.map((call) => [call.name, call.ok, call.parseError ?? false, call.resultIndex])).toEqual([
      ['add_memory', true, false, 3],
      ['invalid_tool_call', false, true, 4],
      ['recall_memories', true, false, 5],
    ]);
    expect(saved.conversations[4]?.content).toMatch(/^Could not read the tool call/);
    expect(saved.conversations[5]?.content).toBe('Memories:\n1. Sister is vegetarian');
  });
});
