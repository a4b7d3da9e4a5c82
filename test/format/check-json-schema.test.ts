/**
 * The JSON Schema checker on Ada's tool schemas and on a schema using every keyword it supports;
 * its verdict (conforms or not) is compared with Ajv's, a full validator, on generated values.
 */
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonSchema, describeViolations, type JsonSchema } from '../../src/format/index.js';
import { ADA_TOOL_SCHEMAS } from '../../src/tools/index.js';

const EVERY_KEYWORD: JsonSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 12 },
    count: { type: 'integer', minimum: 1, maximum: 10 },
    ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    mode: { enum: ['fast', 'slow', null] },
    version: { const: 2 },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
    limit: { anyOf: [{ type: 'integer' }, { type: 'string', enum: ['none'] }] },
    nested: { type: 'object', properties: { flag: { type: 'boolean' } }, required: ['flag'], additionalProperties: false },
    extra: { type: ['string', 'null'] },
  },
  required: ['title', 'count'],
  additionalProperties: { type: 'number' },
};

function parametersOf(name: string): JsonSchema {
  const tool = ADA_TOOL_SCHEMAS.find((candidate) => candidate.function.name === name);
  if (tool === undefined) throw new Error(`no tool ${name}`);
  return tool.function.parameters;
}

describe("Ada's tool arguments", () => {
  it('well-formed arguments conform', () => {
    expect(checkJsonSchema({ input_text: ['Has a dog named Biscuit'] }, parametersOf('add_memory'))).toEqual([]);
    expect(checkJsonSchema({ indices: [1, 3] }, parametersOf('delete_diary'))).toEqual([]);
    expect(checkJsonSchema({}, parametersOf('recall_memories'))).toEqual([]);
  });

  it('each violation says where and what was found', () => {
    expect(describeViolations(checkJsonSchema({ input_text: 'one string' }, parametersOf('add_memory')))).toBe('input_text: expected an array, got the text "one string"');
    expect(describeViolations(checkJsonSchema({ indices: [1, 2.5, 'three'] }, parametersOf('delete_memory')))).toBe(
      'indices[1]: expected a whole number, got the number 2.5; indices[2]: expected a whole number, got the text "three"',
    );
    expect(describeViolations(checkJsonSchema({}, parametersOf('add_memory')))).toBe('input_text: is required but missing');
    expect(describeViolations(checkJsonSchema(['x'], parametersOf('add_memory')))).toBe('expected an object, got a list');
  });
});

describe('every supported keyword', () => {
  const valid = { title: 'Trip', count: 3, ratio: 0.5, mode: null, version: 2, tags: ['a'], limit: 'none', nested: { flag: true }, extra: null, bonus: 1.5 };

  it('a value using them all conforms', () => {
    expect(checkJsonSchema(valid, EVERY_KEYWORD)).toEqual([]);
  });

  it.each([
    [{ ...valid, title: '' }, 'title: expected at least 1 characters, got 0'],
    [{ ...valid, count: 11 }, 'count: expected at most 10, got 11'],
    [{ ...valid, ratio: 1 }, 'ratio: expected less than 1, got 1'],
    [{ ...valid, mode: 'medium' }, 'mode: expected one of "fast", "slow", null, got the text "medium"'],
    [{ ...valid, version: 3 }, 'version: expected 2, got the number 3'],
    [{ ...valid, tags: [] }, 'tags: expected at least 1 items, got 0'],
    [{ ...valid, limit: 'all' }, 'limit: matches none of the 2 allowed forms, got the text "all"'],
    [{ ...valid, nested: { flag: true, other: 1 } }, 'nested.other: is not a known property (known: flag)'],
    [{ ...valid, bonus: 'yes' }, 'bonus: expected a number, got the text "yes"'],
    [{ ...valid, extra: 4 }, 'extra: expected a string or null, got the number 4'],
  ])('%j breaks it: %s', (value, message) => {
    expect(describeViolations(checkJsonSchema(value, EVERY_KEYWORD))).toBe(message);
  });

  it('a value far off lists at most 20 violations', () => {
    expect(checkJsonSchema({ title: 'x', count: 1, tags: Array.from({ length: 100 }, (_, index) => index) }, EVERY_KEYWORD).length).toBe(20);
  });

  it('agrees with Ajv on which generated values conform', () => {
    const ajv = new Ajv({ strict: false });
    const schemas = [EVERY_KEYWORD, ...ADA_TOOL_SCHEMAS.map((tool) => tool.function.parameters)];
    const validators = schemas.map((schema) => ajv.compile(schema));
    const field = fc.oneof(fc.string({ maxLength: 14 }), fc.integer({ min: -2, max: 12 }), fc.double({ min: -1, max: 2, noNaN: true }), fc.constantFrom(null, true, 'fast', 'none', 2), fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 4 }));
    const value = fc.record(
      { title: field, count: field, ratio: field, mode: field, version: field, tags: field, limit: field, nested: fc.oneof(field, fc.record({ flag: fc.boolean() })), input_text: field, indices: field, bonus: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(value, (generated) => {
        schemas.forEach((schema, index) => {
          const ours = checkJsonSchema(generated, schema).length === 0;
          expect(ours, `${JSON.stringify(generated)} against schema ${index}`).toBe((validators[index] as (data: unknown) => boolean)(generated));
        });
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
  it('keywords it does not check never refuse a call, and oneOf is held like anyOf (MCP servers publish both)', () => {
    expect(checkJsonSchema({ when: 'soon' }, { type: 'object', properties: { when: { type: 'string', format: 'date-time', pattern: '^2' } } })).toEqual([]);
    expect(checkJsonSchema({ anything: [1, 2] }, {})).toEqual([]);
    const target = { type: 'object', properties: { target: { oneOf: [{ type: 'string' }, { type: 'number' }] } } };
    expect(checkJsonSchema({ target: 3 }, target)).toEqual([]);
    expect(describeViolations(checkJsonSchema({ target: true }, target))).toContain('target: matches none of the 2 allowed forms');
  });
});
