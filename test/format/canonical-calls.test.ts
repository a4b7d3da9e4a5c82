import { describe, expect, it } from 'vitest';
import { canonicalizeToolCalls, parseToolCalls, restoreCallSyntax } from '../../src/format/index.js';

function roundTrip(text: string) {
  const parsed = parseToolCalls(text);
  const canonical = canonicalizeToolCalls(text, parsed.calls);
  const pairs = [...canonical.canonicalByOriginal].map(([original, canonicalMarkup]) => ({ canonical: canonicalMarkup, original }));
  return { parsed, canonical, restored: restoreCallSyntax(canonical.text, pairs) };
}

describe('calls saved in the one syntax the persona prompt teaches', () => {
  it.each([
    ['a Mistral list of two', '<think>Save both.</think>\n\nNoted!\n[TOOL_CALLS] [{"name": "add_memory", "arguments": {"input_text": ["Likes jazz"]}}, {"name": "recall_diary", "arguments": {}}]',
      'Noted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Likes jazz"]}}</tool_call>\n<tool_call>{"name": "recall_diary", "arguments": {}}</tool_call>'],
    ['plain lines', '<think>Save.</think>\n\nNoted!\ntool_call: add_memory\narguments: {"input_text": ["Likes jazz"]}',
      'Noted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Likes jazz"]}}</tool_call>'],
    ['a python call', '<think>Save.</think>\n\nNoted!\n<tool_call>add_memory(input_text=["Likes jazz"])</tool_call>',
      'Noted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Likes jazz"]}}</tool_call>'],
  ])('%s becomes <tool_call> JSON tags, the reasoning untouched, and restores to exactly what was written', (_name, text, visible) => {
    const { parsed, canonical, restored } = roundTrip(text);
    expect(canonical.text.slice(canonical.text.indexOf('</think>\n\n') + 10)).toBe(visible);
    expect(parseToolCalls(canonical.text).calls).toEqual(parsed.calls.map((call) => expect.objectContaining({ name: call.name, arguments: call.arguments, format: 'hermes' })));
    expect(restored).toBe(text);
  });

  it('markup already canonical and markup inside the reasoning are left as they are', () => {
    const text = '<think>I could write [TOOL_CALLS] [{"name": "recall_diary"}].</think>\n\n<tool_call>{"name": "recall_diary", "arguments": {}}</tool_call>';
    const { canonical } = roundTrip(text);
    expect(canonical.text).toBe(text);
    expect(canonical.canonicalByOriginal.size).toBe(0);
  });
});
