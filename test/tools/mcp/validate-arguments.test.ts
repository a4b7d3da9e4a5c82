import { describe, expect, it } from 'vitest';
import { findArgumentProblems } from '../../../src/tools/mcp/index.js';

const editSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1 },
    mode: { type: 'string', enum: ['append', 'replace'] },
    edits: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', properties: { oldText: { type: 'string' }, newText: { type: 'string' } }, required: ['oldText', 'newText'] },
    },
    depth: { type: 'integer', minimum: 0, maximum: 5 },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    target: { anyOf: [{ type: 'string' }, { type: 'number' }] },
  },
  required: ['path', 'edits'],
  additionalProperties: false,
};

describe('arguments checked against a tool\'s inputSchema, in words a model can act on', () => {
  it('arguments that fit the schema have no problem', () => {
    expect(findArgumentProblems(editSchema, { path: 'a.md', edits: [{ oldText: 'a', newText: 'b' }], depth: 2, tags: null, target: 3 })).toEqual([]);
  });

  it('missing, mistyped, unknown and out-of-range arguments are each named with their path', () => {
    expect(
      findArgumentProblems(editSchema, { path: '', mode: 'delete', edits: [{ oldText: 1 }], depth: 9, colour: 'red' }),
    ).toEqual([
      '`path` needs at least 1 character, got 0',
      '`mode` must be one of "append", "replace", got the text "delete"',
      '`edits[0].newText` is missing (it is required)',
      '`edits[0].oldText` must be a string, got the number 1',
      '`depth` must be at most 5, got 9',
    ]);
    expect(findArgumentProblems(editSchema, { path: 'a', edits: [], colour: 'red' })).toEqual([
      '`edits` needs at least 1 item, got 0',
      'unexpected argument `colour`; expected `path`, `mode`, `edits`, `depth`, `tags`, `target`',
    ]);
  });

  it('a list of types, alternatives, and a whole number written as a fraction, in the order the model wrote them', () => {
    expect(findArgumentProblems(editSchema, { path: 'a', edits: [{ oldText: 'a', newText: 'b' }], tags: 'x', target: true, depth: 1.5 })).toEqual([
      '`tags` must be a list or null, got the text "x"',
      '`target` matches none of the 2 allowed forms, got true',
      '`depth` must be a whole number, got the number 1.5',
    ]);
  });

  it('keywords it does not know, and schemas that allow anything, never refuse a call', () => {
    expect(findArgumentProblems({ type: 'object', properties: { when: { type: 'string', format: 'date-time', pattern: '^2' } } }, { when: 'soon' })).toEqual([]);
    expect(findArgumentProblems({}, { anything: [1, 2] })).toEqual([]);
    expect(findArgumentProblems({ type: 'object' }, { extra: 1 })).toEqual([]);
  });

  it('a value that is not an object where the schema wants one is one problem, not a cascade', () => {
    expect(findArgumentProblems(editSchema, 'a.md')).toEqual(['the arguments must be an object, got the text "a.md"']);
  });
});
