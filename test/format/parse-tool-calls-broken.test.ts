import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CALLS_PER_MESSAGE, parseToolCalls, stripToolCalls } from '../../src/format/index.js';

/** Each of these is markup a model might write that cannot be read as a call. */
const BROKEN: readonly { readonly text: string; readonly format: string; readonly says: RegExp }[] = [
  { text: '<tool_call>garbage inside</tool_call>', format: 'hermes', says: /expected a JSON object or name\(arguments\)/ },
  { text: '<tool_call></tool_call>', format: 'hermes', says: /empty/ },
  { text: '<tool_call>   ', format: 'hermes', says: /empty/ },
  { text: '<tool_call>{"name": </tool_call>', format: 'hermes', says: /cut off/ },
  { text: '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["x"]}</tool_call>', format: 'hermes', says: /cut off/ },
  { text: '<tool_call>{"arguments": {}}</tool_call>', format: 'hermes', says: /no "name"/ },
  { text: '<tool_call>{"name": 42}</tool_call>', format: 'hermes', says: /"name" must be/ },
  { text: '<tool_call>{"name": "add_memory", "arguments": [1]}</tool_call>', format: 'hermes', says: /"arguments" must be an object/ },
  { text: '<tool_call>{"name": "add_memory", "arguments": "{oops"}</tool_call>', format: 'hermes', says: /not valid JSON/ },
  { text: '<tool_call>[]</tool_call>', format: 'hermes', says: /empty/ },
  { text: '<tool_call>"just a string"</tool_call>', format: 'hermes', says: /expected a call object/ },
  { text: '<tool_call>{"name": "add_memory" "arguments": {}}</tool_call>', format: 'hermes', says: /expected "," or "}"/ },
  { text: "<tool_call>{'name': 'add_memory', 'arguments': {'input_text': ['unclosed]}}</tool_call>", format: 'hermes', says: /never closed/ },
  { text: '<tool_call>add_memory(input_text=["x"]</tool_call>', format: 'python', says: /ends before|expected/ },
  { text: '<tool_call>add_memory(input_text=os.system("rm -rf /"))</tool_call>', format: 'python', says: /expected a value/ },
  { text: '<tool_call>add_memory(input_text="a", input_text="b")</tool_call>', format: 'python', says: /given twice/ },
  { text: '<tool_call>add_memory(input_text="a", "b")</tool_call>', format: 'python', says: /positional argument follows/ },
  { text: `<tool_call>${'['.repeat(200)}${']'.repeat(200)}</tool_call>`, format: 'hermes', says: /nested more than/ },
  { text: '[TOOL_CALLS] nonsense!', format: 'mistral', says: /expected/ },
  { text: '[TOOL_CALLS] [{"name": "add_memory", "arguments": {"input_text": ["x"]}', format: 'mistral', says: /ends before/ },
  { text: '[TOOL_CALLS] [{"arguments": {}}]', format: 'mistral', says: /no "name"/ },
  { text: '[TOOL_CALLS]add_memory[ARGS]{"input_text": [', format: 'mistral', says: /expected a value/ },
  { text: 'tool_call: ???', format: 'plain', says: /expected a tool name/ },
  { text: 'tool_call: add_memory please', format: 'plain', says: /after the tool name/ },
  { text: 'tool_call: add_memory\narguments: {"input_text": ["x"', format: 'plain', says: /ends before/ },
  { text: 'tool_call: add_memory\narguments: 12', format: 'plain', says: /must be an object/ },
];

describe('broken markup', () => {
  it.each(BROKEN)('$text gives one $format error and no call', ({ text, format, says }) => {
    const parsed = parseToolCalls(text);
    expect(parsed.calls).toEqual([]);
    expect(parsed.errors).toHaveLength(1);
    const error = parsed.errors[0];
    expect(error?.format).toBe(format);
    expect(error?.message).toMatch(says);
    expect(error?.message).toMatch(/^Could not read the tool call: /);
    // Every message shows the right form, so the model can correct itself.
    expect(error?.message).toMatch(/Write /);
    expect(text).toContain(error?.raw.trim());
  });

  it('a broken call between two good ones is reported in place and the good ones still run', () => {
    const parsed = parseToolCalls(
      '<tool_call>{"name": "recall_memories"}</tool_call><tool_call>{oops}</tool_call><tool_call>recall_diary()</tool_call>',
    );
    expect(parsed.calls.map((call) => call.name)).toEqual(['recall_memories', 'recall_diary']);
    expect(parsed.errors.map((error) => error.raw)).toEqual(['<tool_call>{oops}</tool_call>']);
  });

  it(`more than ${MAX_CALLS_PER_MESSAGE} calls in one reply run the first ${MAX_CALLS_PER_MESSAGE} and report the rest`, () => {
    const text = '<tool_call>{"name": "recall_memories"}</tool_call>'.repeat(MAX_CALLS_PER_MESSAGE + 8);
    const parsed = parseToolCalls(text);
    expect(parsed.calls).toHaveLength(MAX_CALLS_PER_MESSAGE);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]?.message).toContain(`${MAX_CALLS_PER_MESSAGE + 8} tool calls`);
  });

  it('a megabyte of unbalanced brackets and escapes inside a tag is handled quickly', () => {
    const started = performance.now();
    const brackets = parseToolCalls(`<tool_call>${'{"a": ['.repeat(200_000)}`);
    const escapes = parseToolCalls(`<tool_call>{"name": "add_memory", "arguments": {"input_text": ["${'\\n'.repeat(500_000)}`);
    expect(brackets.errors).toHaveLength(1);
    expect(escapes.errors).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

function expectShape(text: string): void {
  const parsed = parseToolCalls(text);
  expect(Array.isArray(parsed.calls)).toBe(true);
  expect(Array.isArray(parsed.errors)).toBe(true);
  for (const call of parsed.calls) {
    expect(typeof call.name).toBe('string');
    expect(typeof call.arguments).toBe('object');
    expect(call.arguments).not.toBeNull();
    expect(Array.isArray(call.arguments)).toBe(false);
    expect(['hermes', 'python', 'mistral', 'plain']).toContain(call.format);
    expect(text).toContain(call.raw);
  }
  for (const error of parsed.errors) {
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    expect(typeof error.raw).toBe('string');
  }
  expect(typeof stripToolCalls(text)).toBe('string');
}

const MARKUP_PIECES = [
  '<tool_call>',
  '</tool_call>',
  '[TOOL_CALLS]',
  '[ARGS]',
  '[CALL_ID]',
  '\ntool_call: ',
  '\narguments: ',
  '<think>',
  '</think>',
  '```json\n',
  '```',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  '\\',
  ',',
  ':',
  '=',
  'add_memory',
  'recall_memories()',
  '"name": "delete_memory"',
  '"arguments": ',
  'True',
  'None',
  '1e999',
];

describe('never throws', () => {
  it('arbitrary strings always give the right shape', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), expectShape), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), expectShape), { numRuns: 200 });
  });

  it('arbitrary strings wrapped in each kind of markup always give the right shape', () => {
    const wrapped = fc.tuple(
      fc.constantFrom(
        (inner: string) => `<tool_call>${inner}</tool_call>`,
        (inner: string) => `<tool_call>${inner}`,
        (inner: string) => `<tool_call>{"name": "add_memory", "arguments": ${inner}}</tool_call>`,
        (inner: string) => `<tool_call>add_memory(${inner})</tool_call>`,
        (inner: string) => `[TOOL_CALLS] ${inner}`,
        (inner: string) => `[TOOL_CALLS]add_memory[ARGS]${inner}`,
        (inner: string) => `tool_call: ${inner}`,
        (inner: string) => `tool_call: add_memory\narguments: ${inner}`,
        (inner: string) => `<think>${inner}</think><tool_call>${inner}</tool_call>`,
      ),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(wrapped, ([wrap, inner]) => expectShape(wrap(inner))),
      { numRuns: 1000 },
    );
  });

  it('strings assembled from markup fragments always give the right shape', () => {
    const assembled = fc
      .array(fc.oneof(fc.constantFrom(...MARKUP_PIECES), fc.string({ maxLength: 8 })), { maxLength: 40 })
      .map((pieces) => pieces.join(''));
    fc.assert(fc.property(assembled, expectShape), { numRuns: 1500 });
  });

  it('JSON values written as calls parse back to the same arguments', () => {
    const jsonArguments = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 10 }),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(jsonArguments, (args) => {
        const text = `<tool_call>${JSON.stringify({ name: 'add_memory', arguments: args })}</tool_call>`;
        const parsed = parseToolCalls(text);
        expect(parsed.errors).toEqual([]);
        expect(parsed.calls[0]?.arguments).toEqual(JSON.parse(JSON.stringify(args)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('work stays linear in the size of the reply', () => {
  it('thousands of think blocks, strings and markers in one reply are read quickly', () => {
    const thinks = '<think><tool_call>{"name": "x"}</tool_call></think>'.repeat(20_000);
    const markers = '[TOOL_CALLS]["a"] '.repeat(50_000);
    const plain = 'tool_call: ???\n'.repeat(50_000);
    const started = performance.now();
    expect(parseToolCalls(thinks)).toEqual({ calls: [], errors: [] });
    expect(parseToolCalls(markers).errors.length).toBe(MAX_CALLS_PER_MESSAGE + 1);
    expect(parseToolCalls(plain).errors.length).toBe(MAX_CALLS_PER_MESSAGE + 1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
