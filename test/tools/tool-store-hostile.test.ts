import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToolCalls } from '../../src/format/index.js';
import { parseErrorResult } from '../../src/tools/run-tool.js';
import type { ToolContext } from '../../src/tools/tool-definitions.js';
import { ToolStore } from '../../src/tools/tool-store.js';

let directory: string;
let store: ToolStore;
let counter = 0;

/** A fresh user per test, so tests share one file without sharing rows. */
function freshContext(): ToolContext {
  counter++;
  return { userId: `user-${counter}`, conversationId: `conversation-${counter}` };
}

beforeAll(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
  store = ToolStore.open(path.join(directory, 'tools.sqlite'), { limits: { maxEntriesPerUser: 5 } });
});

afterAll(() => {
  expect(store.integrityCheck()).toBe('ok');
  store.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function rejects(context: ToolContext, name: string, args: unknown, ...expected: RegExp[]): void {
  const before = store.counts(context.userId);
  const result = store.execute({ name, arguments: args }, context);
  expect(result.ok, result.content).toBe(false);
  for (const pattern of expected) expect(result.content).toMatch(pattern);
  expect(store.counts(context.userId)).toEqual(before);
}

describe('hostile tool calls are answered, never thrown, and change nothing', () => {
  it('an unknown tool name lists the valid tools', () => {
    const context = freshContext();
    rejects(context, 'drop_all_memories', {}, /Unknown tool "drop_all_memories"/, /add_memory\(input_text: string\[\]\)/, /recall_diary\(\)/);
    const result = store.execute({ name: 42 as unknown as string, arguments: {} }, context);
    expect(result).toMatchObject({ ok: false, name: 'unknown' });
    expect(store.execute(null as never, context).ok).toBe(false);
  });

  it('missing, wrongly typed and unexpected arguments say which and show the expected shape', () => {
    const context = freshContext();
    rejects(context, 'add_memory', {}, /`input_text` is missing/, /Expected add_memory\(input_text: string\[\]\)/);
    rejects(context, 'add_memory', undefined, /`input_text` is missing/);
    rejects(context, 'add_memory', { input_text: 42 }, /`input_text` must be a list of strings, got the number 42/);
    rejects(context, 'add_memory', { input_text: ['ok', { nested: true }] }, /one entry is an object/);
    rejects(context, 'add_memory', { text: ['x'] }, /`input_text` is missing/, /unexpected argument `text`/);
    rejects(context, 'add_memory', ['x'], /arguments must be an object, got a list/);
    rejects(context, 'delete_memory', { indices: 'first' }, /one is the text "first"/, /\{"indices": \[1\]\}/);
    rejects(context, 'delete_memory', { indices: [1.5] }, /whole numbers/);
    rejects(context, 'recall_memories', { limit: 5 }, /unexpected argument `limit`/, /recall_memories\(\)/);
  });

  it('empty lists and empty entries are refused', () => {
    const context = freshContext();
    rejects(context, 'add_diary', { input_text: [] }, /empty list/);
    rejects(context, 'add_diary', { input_text: ['fine', '   '] }, /Entry 2 is empty/, /Nothing was saved/);
    store.execute({ name: 'add_memory', arguments: { input_text: ['one'] } }, context);
    rejects(context, 'delete_memory', { indices: [] }, /empty list/, /recall_memories/);
  });

  it('an index out of range names the valid range and deletes nothing, not even the valid ones', () => {
    const context = freshContext();
    rejects(context, 'delete_memory', { indices: [1] }, /there are no memories to delete/);
    store.execute({ name: 'add_memory', arguments: { input_text: ['a', 'b', 'c'] } }, context);
    rejects(context, 'delete_memory', { indices: [1, 4] }, /no memory 4; valid numbers are 1 to 3 \(see recall_memories\)/);
    rejects(context, 'delete_memory', { indices: [0, -1] }, /no memories 0, -1/);
    rejects(context, 'delete_memory', { indices: Array.from({ length: 1000 }, (_, index) => index + 10) }, /and 995 more/);
    store.execute({ name: 'delete_memory', arguments: { indices: [1, 2] } }, context);
    rejects(context, 'delete_memory', { indices: [2] }, /the only valid number is 1/);
  });

  it('duplicate indices delete once and say so', () => {
    const context = freshContext();
    store.execute({ name: 'add_memory', arguments: { input_text: ['a', 'b'] } }, context);
    const result = store.execute({ name: 'delete_memory', arguments: { indices: [1, '1', 1] } }, context);
    expect(result).toEqual({
      name: 'delete_memory',
      ok: true,
      content:
        'Deleted memory 1 ("a"). Numbers listed more than once were deleted once. ' +
        'The remaining memories are renumbered; recall_memories shows the new numbers.',
    });
    expect(store.counts(context.userId).memories).toBe(1);
  });

  it('a one-megabyte entry is refused with the documented limit and the database stays small', () => {
    const context = freshContext();
    const huge = 'x'.repeat(1_000_000);
    rejects(context, 'add_memory', { input_text: [huge] }, /1,000,000 characters long; the limit is 4,000/);
    expect(store.execute({ name: 'add_memory', arguments: { input_text: ['y'.repeat(4000)] } }, context).ok).toBe(true);
    expect(fs.statSync(path.join(directory, 'tools.sqlite')).size).toBeLessThan(1_000_000);
  });

  it('a user cannot grow past the per-user limit, and too many entries in one call are refused', () => {
    const context = freshContext();
    rejects(context, 'add_memory', { input_text: Array.from({ length: 21 }, () => 'x') }, /21 entries in one call; the limit is 20/);
    store.execute({ name: 'add_memory', arguments: { input_text: ['1', '2', '3', '4'] } }, context);
    rejects(context, 'add_memory', { input_text: ['5', '6'] }, /4 of 5 memories are kept and only 1 more fits/, /delete_memory/);
  });

  it('SQL in model text is stored verbatim as data and every table survives', () => {
    const context = freshContext();
    const injection = "'); DROP TABLE memories; --";
    const sneaky = 'Robert"); DELETE FROM diary_entries WHERE (1=1';
    store.execute({ name: 'add_diary', arguments: { input_text: ['a diary entry'] } }, context);
    expect(store.execute({ name: 'add_memory', arguments: { input_text: [injection, sneaky] } }, context).ok).toBe(true);
    expect(store.execute({ name: 'recall_memories', arguments: {} }, context).content).toBe(
      `Memories:\n1. ${injection}\n2. ${sneaky}`,
    );
    expect(store.execute({ name: 'delete_memory', arguments: { indices: [1] } }, context).content).toContain(injection);
    expect(store.counts(context.userId)).toEqual({ memories: 1, diary: 1 });
    expect(store.integrityCheck()).toBe('ok');
  });

  it('entries with line breaks stay one numbered line each when recalled', () => {
    const context = freshContext();
    store.execute({ name: 'add_memory', arguments: { input_text: ['first line\n2. fake entry', '\u0000nul and emoji 🎷'] } }, context);
    expect(store.execute({ name: 'recall_memories', arguments: {} }, context).content).toBe(
      'Memories:\n1. first line 2. fake entry\n2. \u0000nul and emoji 🎷',
    );
  });

  it('a call that could not be parsed becomes a not-ok result carrying the parser message', () => {
    const [error] = parseToolCalls('<tool_call>add_memory(input_text=["x"], input_text=["y"])</tool_call>').errors;
    expect(error).toBeDefined();
    if (error === undefined) return;
    expect(parseErrorResult(error)).toEqual({ name: 'add_memory', ok: false, content: error.message });
    const [unnamed] = parseToolCalls('<tool_call>???</tool_call>').errors;
    if (unnamed !== undefined) expect(parseErrorResult(unnamed).name).toBe('invalid_tool_call');
  });

  it('arbitrary call names and arguments never throw and leave the database sound', () => {
    const context = freshContext();
    const names = fc.oneof(
      fc.constantFrom('add_memory', 'recall_memories', 'delete_memory', 'add_diary', 'recall_diary', 'delete_diary'),
      fc.string({ maxLength: 20 }),
    );
    const argumentsValue = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ input_text: fc.anything({ maxDepth: 1 }) }),
      fc.record({ indices: fc.array(fc.oneof(fc.integer({ min: -3, max: 8 }), fc.string({ maxLength: 3 }))) }),
    );
    fc.assert(
      fc.property(names, argumentsValue, (name, args) => {
        const result = store.execute({ name, arguments: args }, context);
        expect(typeof result.ok).toBe('boolean');
        expect(result.content.length).toBeGreaterThan(0);
        expect(result.content.length).toBeLessThan(5 * 4000 + 1000);
        store.rollbackConversation(context.conversationId);
      }),
      { numRuns: 300 },
    );
    expect(store.counts(context.userId)).toEqual({ memories: 0, diary: 0 });
  });
});
