import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOpenAiShapedChunk, readOpenAiShapedChunkBySchema } from '../../src/providers/read-chunk.js';

/** Values a field of a chunk might hold, right or wrong: what a server that misbehaves could send. */
const oddValue = fc.oneof(fc.string(), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.constant(undefined), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, oddValue);

const part = fc.record({ type: maybe(fc.constant('text')), text: maybe(fc.string()) }, { requiredKeys: [] });
const content = fc.oneof(fc.string(), fc.constant(null), fc.array(part, { maxLength: 2 }), oddValue);
const delta = fc.oneof(fc.record({ role: maybe(fc.constant('assistant')), content }, { requiredKeys: [] }), fc.constant(null), oddValue);
const choice = fc.oneof(
  fc.record({ index: fc.nat(), delta, finish_reason: maybe(fc.constantFrom('stop', 'length', null)), logprobs: fc.constant(null) }, { requiredKeys: [] }),
  oddValue,
);
const usage = fc.oneof(fc.record({ prompt_tokens: maybe(fc.nat()), completion_tokens: maybe(fc.nat()), total_tokens: fc.nat() }, { requiredKeys: [] }), fc.constant(null), oddValue);
const chunk = fc.oneof(
  fc.record({ id: fc.string(), model: maybe(fc.string()), choices: fc.oneof(fc.array(choice, { maxLength: 2 }), oddValue), usage }, { requiredKeys: ['choices'] }),
  fc.record({ model: maybe(fc.string()), choices: fc.oneof(fc.array(choice, { maxLength: 2 }), oddValue), usage }, { requiredKeys: [] }),
  oddValue,
);

describe('reading an OpenAI-shaped chunk', () => {
  it('reads every chunk, right or wrong, exactly as the schema does', () => {
    fc.assert(
      fc.property(chunk, (value) => {
        expect(readOpenAiShapedChunk(value)).toEqual(readOpenAiShapedChunkBySchema(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('a plain content chunk gives its text, and the finishing chunk its reason and usage', () => {
    expect(readOpenAiShapedChunk({ model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }], usage: null })).toEqual({
      ok: true,
      fields: { text: 'Hel', finishReason: null, inputTokens: undefined, outputTokens: undefined, model: 'm' },
    });
    expect(readOpenAiShapedChunk({ choices: [{ delta: { content: '' }, finish_reason: 'stop' }], usage: { prompt_tokens: 12, completion_tokens: 3 } })).toEqual({
      ok: true,
      fields: { text: '', finishReason: 'stop', inputTokens: 12, outputTokens: 3, model: undefined },
    });
  });

  it('content given as typed parts is read from its text parts', () => {
    const read = readOpenAiShapedChunk({ choices: [{ delta: { content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }] } }] });
    expect(read).toMatchObject({ ok: true, fields: { text: 'ab' } });
  });

  it('a chunk with a wrong type is refused with the field and what was expected', () => {
    const read = readOpenAiShapedChunk({ choices: [{ delta: { content: 42 }, finish_reason: null }] });
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.problem).toMatch(/^choices\.0\.delta\.content: /);
  });
});
