import { describe, expect, it } from 'vitest';
import { parseToolCallSequence, parseToolCalls } from '../../src/format/index.js';
import { ADA_TOOL_CATALOGUE } from '../../src/tools/index.js';

/** Ada's tools: python-style positional arguments map onto their parameters. */
const parseAda = (text: string) => parseToolCalls(text, { catalogue: ADA_TOOL_CATALOGUE });
const sequenceAda = (text: string) => parseToolCallSequence(text, { catalogue: ADA_TOOL_CATALOGUE });

const JAZZ = { input_text: ['User likes jazz'] };

function callsOf(text: string) {
  const parsed = parseAda(text);
  expect(parsed.errors).toEqual([]);
  return parsed.calls.map(({ name, arguments: args, format }) => ({ name, arguments: args, format }));
}

describe('hermes tags', () => {
  it('a single <tool_call> with a JSON object becomes one call with its exact raw markup', () => {
    const markup = '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}</tool_call>';
    const parsed = parseAda(`<think>The user told me.</think>\nNoted!\n${markup}`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.calls).toEqual([{ name: 'add_memory', arguments: JAZZ, format: 'hermes', raw: markup }]);
  });

  it('several tags in one reply come back in order', () => {
    const text =
      '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>\n' +
      'and then\n<tool_call>{"name": "delete_memory", "arguments": {"indices": [2]}}</tool_call>' +
      '<tool_call>{"name": "add_diary", "arguments": {"input_text": ["Quiet day"]}}</tool_call>';
    expect(callsOf(text).map((call) => call.name)).toEqual(['recall_memories', 'delete_memory', 'add_diary']);
  });

  it('an unclosed last tag at the end of the text is still a call', () => {
    expect(callsOf('Saving that.\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}')).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'hermes' },
    ]);
  });

  it('an unclosed tag followed by prose keeps the call and leaves the prose alone', () => {
    const parsed = parseAda('<tool_call>{"name": "recall_diary"}\nLet me look at my diary.');
    expect(parsed.errors).toEqual([]);
    expect(parsed.calls).toEqual([
      { name: 'recall_diary', arguments: {}, format: 'hermes', raw: '<tool_call>{"name": "recall_diary"}' },
    ]);
  });

  it('an unclosed tag directly followed by another tag ends where the next one starts', () => {
    const text = '<tool_call>{"name": "recall_memories"}\n<tool_call>{"name": "recall_diary"}</tool_call>';
    expect(callsOf(text).map((call) => call.name)).toEqual(['recall_memories', 'recall_diary']);
  });

  it('two JSON objects inside one tag are two calls', () => {
    const text = '<tool_call>\n{"name": "recall_memories"}\n{"name": "recall_diary"}\n</tool_call>';
    expect(callsOf(text).map((call) => call.name)).toEqual(['recall_memories', 'recall_diary']);
  });

  it('prose after a call inside its tag runs the call and reports the prose it could not read', () => {
    const parsed = parseAda('<tool_call>{"name": "recall_memories"} thanks</tool_call>');
    expect(parsed.calls.map((call) => call.name)).toEqual(['recall_memories']);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.message).toContain('found "thanks"');
  });

  it('a stray extra closing brace after the object is forgiven', () => {
    expect(callsOf('<tool_call>{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}}</tool_call>')).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'hermes' },
    ]);
  });
});

describe('python-call style', () => {
  it('keyword, empty and list arguments are read without evaluating anything', () => {
    const text =
      '<tool_call>add_memory(input_text=["User likes jazz"])</tool_call>' +
      '<tool_call>recall_memories()</tool_call>' +
      '<tool_call>delete_memory(indices=[1, 2])</tool_call>';
    expect(callsOf(text)).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'python' },
      { name: 'recall_memories', arguments: {}, format: 'python' },
      { name: 'delete_memory', arguments: { indices: [1, 2] }, format: 'python' },
    ]);
  });

  it("a single positional argument maps to the tool's first parameter", () => {
    expect(callsOf('<tool_call>add_memory(["x"])</tool_call><tool_call>delete_diary((3,))</tool_call>')).toEqual([
      { name: 'add_memory', arguments: { input_text: ['x'] }, format: 'python' },
      { name: 'delete_diary', arguments: { indices: [3] }, format: 'python' },
    ]);
  });

  it('Python literals, single quotes and a trailing comma are accepted', () => {
    expect(callsOf("<tool_call>add_memory(input_text=['It\\'s fine', 'None here'], )</tool_call>")).toEqual([
      { name: 'add_memory', arguments: { input_text: ["It's fine", 'None here'] }, format: 'python' },
    ]);
  });

  it('positional arguments to an unknown tool are an error naming the valid tools', () => {
    const parsed = parseAda('<tool_call>remember("x")</tool_call>');
    expect(parsed.calls).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.format).toBe('python');
    expect(parsed.errors[0]?.name).toBe('remember');
    expect(parsed.errors[0]?.message).toContain('add_memory(input_text: string[])');
  });

  it('without a catalogue of tools, positional arguments are refused and the error teaches named ones', () => {
    const parsed = parseToolCalls('<tool_call>add_memory(["x"])</tool_call>');
    expect(parsed.calls).toEqual([]);
    expect(parsed.errors[0]?.message).toContain('Positional arguments need a known tool; write name=value instead');
    expect(parsed.errors[0]?.message).toContain('<tool_call>tool_name(argument="value")</tool_call>');
    expect(parseToolCalls('<tool_call>add_memory(input_text=["x"])</tool_call>').calls).toEqual([
      expect.objectContaining({ name: 'add_memory', arguments: { input_text: ['x'] } }),
    ]);
  });

  it('too many positional arguments say how many the tool takes', () => {
    const parsed = parseAda('<tool_call>recall_memories(5)</tool_call>');
    expect(parsed.errors[0]?.message).toContain('recall_memories takes no arguments');
  });
});

describe('mistral', () => {
  it('[TOOL_CALLS] followed by a JSON list gives every call in it', () => {
    const text =
      'Sure. [TOOL_CALLS] [{"name": "add_memory", "arguments": {"input_text": ["User likes jazz"]}}, ' +
      '{"name": "recall_memories", "arguments": {}}]';
    expect(callsOf(text)).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'mistral' },
      { name: 'recall_memories', arguments: {}, format: 'mistral' },
    ]);
  });

  it('the name[ARGS]{json} variant, with or without a call id, works', () => {
    const text =
      '[TOOL_CALLS]add_memory[ARGS]{"input_text": ["User likes jazz"]}' +
      '[TOOL_CALLS]delete_memory[CALL_ID]a1B2c3D4e[ARGS]{"indices": [1]}[TOOL_CALLS]recall_diary[ARGS]{}';
    expect(callsOf(text)).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'mistral' },
      { name: 'delete_memory', arguments: { indices: [1] }, format: 'mistral' },
      { name: 'recall_diary', arguments: {}, format: 'mistral' },
    ]);
  });

  it('the name{json} variant without [ARGS] works', () => {
    expect(callsOf('[TOOL_CALLS]add_memory{"input_text": ["User likes jazz"]}')).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'mistral' },
    ]);
  });
});

describe('plain', () => {
  it('a tool_call line and an arguments line make one call; a no-argument tool needs no arguments line', () => {
    const text =
      'Let me note that.\ntool_call: add_memory\narguments: {"input_text": ["User likes jazz"]}\n' +
      'And check the diary.\ntool_call: recall_diary\nDone.';
    expect(callsOf(text)).toEqual([
      { name: 'add_memory', arguments: JAZZ, format: 'plain' },
      { name: 'recall_diary', arguments: {}, format: 'plain' },
    ]);
  });

  it('arguments spanning several lines inside a code fence are read whole', () => {
    const text = 'tool_call: delete_memory\narguments:\n```json\n{\n  "indices": [\n    1,\n    2,\n  ]\n}\n```\nOK';
    expect(callsOf(text)).toEqual([{ name: 'delete_memory', arguments: { indices: [1, 2] }, format: 'plain' }]);
  });

  it('"tool_call:" in the middle of a sentence is not a call', () => {
    expect(parseAda('You could write tool_call: add_memory, but I will not.')).toEqual({ calls: [], errors: [] });
  });
});

describe('mixed formats and tolerance', () => {
  it('calls in different formats in one reply keep their order of appearance', () => {
    const text =
      'tool_call: recall_memories\n' +
      '<tool_call>add_memory(input_text=["a"])</tool_call>\n' +
      '[TOOL_CALLS] [{"name": "recall_diary", "arguments": {}}]\n' +
      '<tool_call>{"name": "delete_diary", "arguments": {"indices": [1]}}</tool_call>';
    expect(callsOf(text).map((call) => `${call.format}:${call.name}`)).toEqual([
      'plain:recall_memories',
      'python:add_memory',
      'mistral:recall_diary',
      'hermes:delete_diary',
    ]);
  });

  it('a code fence inside the tag, trailing commas, single quotes and Python literals are tolerated', () => {
    const text =
      "<tool_call>\n```json\n{'name': 'add_memory', 'arguments': {'input_text': ['User likes jazz',], 'pinned': True, 'note': None,},}\n```\n</tool_call>";
    expect(callsOf(text)).toEqual([
      { name: 'add_memory', arguments: { input_text: ['User likes jazz'], pinned: true, note: null }, format: 'hermes' },
    ]);
  });

  it('a code fence around the whole tag is tolerated', () => {
    expect(callsOf('```\n<tool_call>{"name": "recall_memories"}</tool_call>\n```')).toHaveLength(1);
  });

  it('arguments given as a JSON string are decoded', () => {
    const text = '<tool_call>{"name": "add_memory", "arguments": "{\\"input_text\\": [\\"User likes jazz\\"]}"}</tool_call>';
    expect(callsOf(text)).toEqual([{ name: 'add_memory', arguments: JAZZ, format: 'hermes' }]);
  });

  it('"parameters" instead of "arguments", the OpenAI function shape and flattened arguments are all understood', () => {
    const text =
      '<tool_call>{"name": "add_memory", "parameters": {"input_text": ["a"]}}</tool_call>' +
      '<tool_call>{"type": "function", "function": {"name": "add_memory", "arguments": "{\\"input_text\\": [\\"b\\"]}"}}</tool_call>' +
      '<tool_call>{"name": "add_memory", "input_text": ["c"]}</tool_call>';
    expect(callsOf(text).map((call) => call.arguments)).toEqual([
      { input_text: ['a'] },
      { input_text: ['b'] },
      { input_text: ['c'] },
    ]);
  });

  it('a bare string where a list is expected is passed through for the validator to wrap', () => {
    expect(callsOf('<tool_call>{"name": "add_memory", "arguments": {"input_text": "User likes jazz"}}</tool_call>')).toEqual([
      { name: 'add_memory', arguments: { input_text: 'User likes jazz' }, format: 'hermes' },
    ]);
  });

  it('a key named __proto__ stays data and does not change the prototype', () => {
    const parsed = parseAda('<tool_call>{"name": "add_memory", "arguments": {"__proto__": {"polluted": 1}}}</tool_call>');
    const args = parsed.calls[0]?.arguments ?? {};
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(Object.keys(args)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('think blocks', () => {
  it('markup planned inside <think> is ignored; the call after it counts', () => {
    const text =
      '<think>I could call <tool_call>{"name": "delete_memory", "arguments": {"indices": [1]}}</tool_call> ' +
      'or [TOOL_CALLS] [{"name": "reset"}]\ntool_call: recall_diary\n</think>\n' +
      'Here you go.<tool_call>{"name": "recall_memories"}</tool_call>';
    expect(callsOf(text).map((call) => call.name)).toEqual(['recall_memories']);
  });

  it('an unclosed <think> hides the rest of the text (the reply was cut off while reasoning)', () => {
    expect(parseAda('<think>Maybe <tool_call>{"name": "recall_memories"}</tool_call>')).toEqual({ calls: [], errors: [] });
  });

  it('a </think> with no opening tag hides everything before it', () => {
    const text = 'planning <tool_call>{"name": "recall_diary"}</tool_call></think>\n<tool_call>{"name": "recall_memories"}</tool_call>';
    expect(callsOf(text).map((call) => call.name)).toEqual(['recall_memories']);
  });
});

describe('text without tool calls', () => {
  it('ordinary replies, even long ones, give no calls and no errors', () => {
    const long = 'The weather is fine. '.repeat(50_000);
    const started = performance.now();
    expect(parseAda(long)).toEqual({ calls: [], errors: [] });
    expect(parseAda('')).toEqual({ calls: [], errors: [] });
    expect(parseAda('<think>just thinking</think>\nHello!')).toEqual({ calls: [], errors: [] });
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('parseToolCallSequence', () => {
  it('interleaves calls and failures in reply order, even when a call was rehearsed in <think>', () => {
    const text =
      '<think>then <tool_call>{"name": "recall_memories"}</tool_call></think>\n' +
      '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["a"]}}</tool_call>\n' +
      '[TOOL_CALLS] [{"name": "recall_diary"}, {"arguments": {}}, {"name": "delete_diary", "arguments": {"indices": [1]}}]\n' +
      '<tool_call>{"name": "recall_memories"}</tool_call>';
    const sequence = sequenceAda(text);
    expect(sequence.map((item) => (item.kind === 'call' ? item.call.name : 'error'))).toEqual([
      'add_memory',
      'recall_diary',
      'error',
      'delete_diary',
      'recall_memories',
    ]);
    const last = sequence.at(-1);
    expect(last?.start).toBe(text.lastIndexOf('<tool_call>'));
    const parsed = parseAda(text);
    expect(parsed.calls).toEqual(sequence.flatMap((item) => (item.kind === 'call' ? [item.call] : [])));
    expect(parsed.errors).toEqual(sequence.flatMap((item) => (item.kind === 'error' ? [item.error] : [])));
  });
});
