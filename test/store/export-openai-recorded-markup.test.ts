/**
 * The openai export on conversations the real Ada pipeline produced: the pipeline records the exact
 * markup each call was parsed from (`metadata.toolCalls[].raw`) and the export removes exactly that,
 * so no form the parser accepts survives as text next to the native `tool_calls`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { restoreCallSyntax, separateReasoning } from '../../src/format/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SavedConversation } from '../../src/format/index.js';
import { exportConversations } from '../../src/store/index.js';
import { createPipelineFixture, type PipelineFixture } from '../pipelines/ada/conversation-fixture.js';
import { createScriptedRequester } from '../pipelines/ada/scripted-requester.js';
import { makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

let fixture: PipelineFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
  removeTemporaryDirectories();
});

const JAZZ = { input_text: ['User likes jazz'] };
const JAZZ_JSON = '{"input_text": ["User likes jazz"]}';

interface Case {
  readonly name: string;
  /** Ada's first reply: reasoning, text, calls. */
  readonly reply: string;
  /** What is left of it in the export. */
  readonly content: string | undefined;
  readonly calls: readonly { readonly name: string; readonly arguments: unknown }[];
}

const CASES: readonly Case[] = [
  {
    name: 'hermes JSON in a tag',
    reply: `<think>Save it.</think>\n\nNoted!\n<tool_call>{"name": "add_memory", "arguments": ${JAZZ_JSON}}</tool_call>`,
    content: '<think>Save it.</think>\n\nNoted!',
    calls: [{ name: 'add_memory', arguments: JAZZ }],
  },
  {
    name: 'a python call in a tag, and a second tag',
    reply:
      '<think>Save it, then look.</think>\n\nNoted!\n<tool_call>add_memory(input_text=["User likes jazz"])</tool_call>\n' +
      '<tool_call>recall_memories()</tool_call>',
    content: '<think>Save it, then look.</think>\n\nNoted!',
    calls: [
      { name: 'add_memory', arguments: JAZZ },
      { name: 'recall_memories', arguments: {} },
    ],
  },
  {
    name: 'a Mistral [TOOL_CALLS] list of two',
    reply: `<think>Save it.</think>\n\nNoted!\n[TOOL_CALLS] [{"name": "add_memory", "arguments": ${JAZZ_JSON}}, {"name": "recall_diary", "arguments": {}}]`,
    content: '<think>Save it.</think>\n\nNoted!',
    calls: [
      { name: 'add_memory', arguments: JAZZ },
      { name: 'recall_diary', arguments: {} },
    ],
  },
  {
    name: 'plain tool_call and arguments lines',
    reply: `<think>Save it.</think>\n\nNoted!\ntool_call: add_memory\narguments: ${JAZZ_JSON}`,
    content: '<think>Save it.</think>\n\nNoted!',
    calls: [{ name: 'add_memory', arguments: JAZZ }],
  },
  {
    name: 'plain one-line tool_call: NAME {…} with text after it',
    reply: `<think>Save it.</think>\n\nNoted!\ntool_call: add_memory ${JAZZ_JSON}\nAnything else?`,
    content: '<think>Save it.</think>\n\nNoted!\n\nAnything else?',
    calls: [{ name: 'add_memory', arguments: JAZZ }],
  },
  {
    name: 'plain bare tool_call: NAME and plain NAME(…)',
    reply: '<think>Look, then save.</think>\n\nLet me check.\ntool_call: recall_memories\ntool_call: add_memory(input_text=["User likes jazz"])',
    content: '<think>Look, then save.</think>\n\nLet me check.',
    calls: [
      { name: 'recall_memories', arguments: {} },
      { name: 'add_memory', arguments: JAZZ },
    ],
  },
  {
    name: 'a call rehearsed word for word in the reasoning, then made',
    reply:
      `<think>I will write <tool_call>{"name": "add_memory", "arguments": ${JAZZ_JSON}}</tool_call> after my answer.</think>\n\n` +
      `Noted!\n<tool_call>{"name": "add_memory", "arguments": ${JAZZ_JSON}}</tool_call>`,
    content: `<think>I will write <tool_call>{"name": "add_memory", "arguments": ${JAZZ_JSON}}</tool_call> after my answer.</think>\n\nNoted!`,
    calls: [{ name: 'add_memory', arguments: JAZZ }],
  },
  {
    name: 'only a call, no text',
    reply: '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>',
    content: undefined,
    calls: [{ name: 'recall_memories', arguments: {} }],
  },
];

async function converse(reply: string): Promise<SavedConversation> {
  fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, rewrite: false });
  const requester = createScriptedRequester({
    tester: () => 'I love jazz, by the way',
    assistant: (_request, count) => (count === 1 ? reply : '<think>Done.</think>\n\nGot it.'),
  });
  return fixture.pipeline.run({ conversationId: 'conversation', requester, signal: new AbortController().signal });
}

async function exportOpenAi(saved: SavedConversation): Promise<any> {
  const directory = makeTemporaryDirectory();
  const inputPath = path.join(directory, 'output.jsonl');
  const outputPath = path.join(directory, 'export.jsonl');
  fs.writeFileSync(inputPath, `${JSON.stringify(saved)}\n`);
  await exportConversations({ format: 'openai', inputPath, outputPath });
  return JSON.parse(fs.readFileSync(outputPath, 'utf8'));
}

describe('openai export of calls the pipeline recorded with their markup', () => {
  it.each(CASES)('$name: no markup left in content, one native tool_call per call', async ({ reply, content, calls }) => {
    const saved = await converse(reply);
    // Saved with each call in the canonical syntax, the model's markup kept in metadata.
    const recorded = saved.metadata.toolCalls as { raw: string; original?: string }[];
    const pairs = recorded.flatMap((call) => (call.original === undefined ? [] : [{ canonical: call.raw, original: call.original }]));
    expect(restoreCallSyntax(saved.conversations[2]!.content, pairs)).toBe(separateReasoning(reply));
    for (const call of recorded) expect(saved.conversations[2]!.content).toContain(call.raw);
    const record = await exportOpenAi(saved);
    const ids: string[] = record.messages[2].tool_calls.map((call: { id: string }) => call.id);
    expect(ids).toHaveLength(calls.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const results = saved.conversations.filter((message) => message.role === 'tool').map((message) => message.content);
    expect(results).toHaveLength(calls.length);
    expect(record.messages.slice(2, 3 + calls.length)).toEqual([
      {
        role: 'assistant',
        ...(content === undefined ? {} : { content }),
        tool_calls: calls.map((call, order) => ({ id: ids[order], type: 'function', function: { name: call.name, arguments: expect.any(String) } })),
      },
      ...ids.map((id, order) => ({ role: 'tool', tool_call_id: id, content: results[order] })),
    ]);
    const toolCalls = record.messages[2].tool_calls as { function: { arguments: string } }[];
    toolCalls.forEach((call, order) => expect(JSON.parse(call.function.arguments)).toEqual(calls[order]?.arguments));
    expect(record.messages.at(-1)).toEqual({ role: 'assistant', content: '<think>Done.</think>\n\nGot it.' });
  });

  it('markup that could not be read becomes a tool_call too, and its text goes as well', async () => {
    const broken = '<tool_call>{"name": "add_memory", "arguments": {"input_text": [</tool_call>';
    const saved = await converse(`<think>Save it.</think>\n\nNoted!\n${broken}`);
    const record = await exportOpenAi(saved);
    expect(record.messages[2]).toEqual({
      role: 'assistant',
      content: '<think>Save it.</think>\n\nNoted!',
      tool_calls: [{ id: expect.stringMatching(/^[A-Za-z0-9]{9}$/), type: 'function', function: { name: 'invalid_tool_call', arguments: '{}' } }],
    });
  });

  it('a line whose recorded markup is no longer in the reply falls back to stripping by pattern', async () => {
    const saved = await converse(`<think>Save it.</think>\n\nNoted!\n<tool_call>{"name": "add_memory", "arguments": ${JAZZ_JSON}}</tool_call>`);
    const toolCalls = (saved.metadata.toolCalls as { raw: string }[]).map((call) => ({ ...call, raw: '<tool_call>edited away</tool_call>' }));
    const record = await exportOpenAi({ ...saved, metadata: { ...saved.metadata, toolCalls } });
    expect(record.messages[2].content).toBe('<think>Save it.</think>\n\nNoted!');
  });
});
