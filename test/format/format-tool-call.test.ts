import { describe, expect, it } from 'vitest';
import { formatToolCall, formatToolResponses, parseToolCalls, stripToolCalls } from '../../src/format/index.js';

describe('formatToolCall', () => {
  it('writes the canonical Hermes form with json.dumps spacing', () => {
    expect(formatToolCall({ name: 'add_memory', arguments: { input_text: ['User likes jazz'] } })).toBe(
      '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}</tool_call>',
    );
    expect(formatToolCall({ name: 'recall_memories', arguments: {} })).toBe(
      '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>',
    );
  });

  it('calls parsed from any format and formatted again parse back to the same call', () => {
    const text =
      '<tool_call>add_memory(input_text=["quote \\" and \\\\ backslash", "ü 🎷"])</tool_call>' +
      "[TOOL_CALLS] [{'name': 'delete_memory', 'arguments': {'indices': [1, 2,]}}]\n" +
      'tool_call: recall_diary\n';
    const calls = parseToolCalls(text).calls;
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      const again = parseToolCalls(formatToolCall(call)).calls;
      expect(again).toEqual([{ ...call, format: 'hermes', raw: formatToolCall(call) }]);
    }
  });
});

describe('formatToolResponses', () => {
  it('wraps each result in its own <tool_response> block, in order', () => {
    expect(formatToolResponses([{ content: 'Saved 1 memory (number 1).' }, { content: 'No diary entries yet.' }])).toBe(
      '<tool_response>\nSaved 1 memory (number 1).\n</tool_response>\n<tool_response>\nNo diary entries yet.\n</tool_response>',
    );
  });
});

describe('stripToolCalls', () => {
  it('removes calls of every format and keeps the reasoning and the reply', () => {
    const text =
      '<think>I will save it with <tool_call>{"name": "add_memory"}</tool_call></think>\n' +
      'Got it, I will remember that.\n' +
      '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}</tool_call>\n' +
      '[TOOL_CALLS] [{"name": "recall_memories", "arguments": {}}]\n\n\n' +
      'tool_call: recall_diary\nAnything else?';
    expect(stripToolCalls(text)).toBe(
      '<think>I will save it with <tool_call>{"name": "add_memory"}</tool_call></think>\n' +
        'Got it, I will remember that.\n\nAnything else?',
    );
  });

  it('removes broken markup too, and the code fence that only held a call', () => {
    expect(stripToolCalls('Saving.\n```json\n<tool_call>{broken</tool_call>\n```\nDone.')).toBe('Saving.\n\nDone.');
    expect(stripToolCalls('Saving.\n<tool_call>\n```json\n{"name": "recall_memories"}\n```')).toBe('Saving.');
  });

  it('leaves text without tool calls exactly as it was', () => {
    const text = '  Hello,\n\n\n```js\nconsole.log(1)\n```\n';
    expect(stripToolCalls(text)).toBe(text);
  });
});
