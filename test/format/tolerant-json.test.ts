import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, parseTolerantJson, readTolerantValue } from '../../src/format/tolerant-json.js';

function valueOf(text: string): unknown {
  const result = parseTolerantJson(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.value;
}

describe('tolerant JSON reader', () => {
  it('reads standard JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(valueOf(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts trailing commas, single quotes, unquoted keys, Python literals and tuples', () => {
    expect(valueOf("{'a': [1, 2,], b: (True, False, None), 'c': 'it\\'s',}")).toEqual({
      a: [1, 2],
      b: [true, false, null],
      c: "it's",
    });
  });

  it('decodes JSON escapes and keeps unknown escapes as Python does', () => {
    expect(valueOf('"line\\nbreak \\u00fc \\d"')).toBe('line\nbreak ü \\d');
  });

  it('reports where a value stops and leaves the rest of the text alone', () => {
    expect(readTolerantValue('xx [1, 2] tail', 3)).toEqual({ ok: true, value: [1, 2], end: 9 });
  });

  it('refuses what it cannot read with a message and a position, never an exception', () => {
    for (const text of ['', '{', '[1 2]', '{"a" 1}', "'open", 'NaN', 'undefined', '1e999', '{"a": 1} extra', '-']) {
      const result = parseTolerantJson(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
    }
  });

  it(`refuses nesting deeper than ${MAX_NESTING_DEPTH} levels instead of overflowing the stack`, () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const result = parseTolerantJson(deep);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('nested');
    expect(parseTolerantJson(`${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`).ok).toBe(true);
  });

  it('keeps a "__proto__" key as an own property', () => {
    const value = valueOf('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyNames(value)).toEqual(['__proto__']);
  });
});
