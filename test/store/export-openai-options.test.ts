/**
 * The openai export's options for chat templates (--arguments-as-objects, --split-parallel-calls),
 * its `tools` column and its tool-call ids, on the hand-written fixture (lines saved before
 * `metadata.tools` existed) and on a line that records its tools.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolSchema } from '../../src/format/index.js';
import { ExportError, exportConversations } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { ADA_TOOL_SCHEMAS } from '../../src/tools/index.js';
import { FIXTURES, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'conversations.jsonl');

async function exportOpenAi(options: Partial<ExportOptions> = {}, inputPath = FIXTURE): Promise<any[]> {
  const outputPath = path.join(makeTemporaryDirectory(), 'export.jsonl');
  await exportConversations({ format: 'openai', inputPath, outputPath, ...options });
  return readLines(outputPath).map((line) => JSON.parse(line));
}

describe('openai tool-call ids', () => {
  it('are 9 letters and digits, distinct within an example, and the same on every run', async () => {
    const first = await exportOpenAi();
    const second = await exportOpenAi();
    expect(second).toEqual(first);
    for (const record of first) {
      const ids = record.messages.flatMap((message: any) => (message.tool_calls ?? []).map((call: any) => call.id));
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
      expect(new Set(ids).size).toBe(ids.length);
      const answered = record.messages.filter((message: any) => message.role === 'tool').map((message: any) => message.tool_call_id);
      expect(answered).toEqual(ids);
    }
  });
});

describe('openai tools column', () => {
  it('lines saved before metadata.tools get the fallback the caller gives (the CLI gives Ada\'s six tools)', async () => {
    const records = await exportOpenAi({ fallbackTools: ADA_TOOL_SCHEMAS });
    for (const record of records) expect(record.tools.map((tool: any) => tool.function.name)).toEqual(['add_memory', 'recall_memories', 'delete_memory', 'add_diary', 'recall_diary', 'delete_diary']);
    expect(records[0].tools[0]).toEqual({
      type: 'function',
      function: {
        name: 'add_memory',
        description: expect.any(String),
        parameters: { type: 'object', properties: { input_text: { type: 'array', items: { type: 'string' }, description: expect.any(String) } }, required: ['input_text'] },
      },
    });
  });

  it('a line that records its tools is exported with those, and a called name that was not offered is declared as such', async () => {
    const offered: ToolSchema[] = [{ type: 'function', function: { name: 'lookup', description: 'Looks up.', parameters: { type: 'object', properties: {} } } }];
    const line = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[0]!);
    const inputPath = path.join(makeTemporaryDirectory(), 'input.jsonl');
    fs.writeFileSync(inputPath, `${JSON.stringify({ ...line, metadata: { ...line.metadata, tools: offered } })}\n`);
    const [record] = await exportOpenAi({ fallbackTools: ADA_TOOL_SCHEMAS }, inputPath);
    expect(record.tools).toEqual([
      offered[0],
      { type: 'function', function: { name: 'add_memory', description: 'Not one of the tools offered; calling it fails.', parameters: { type: 'object', properties: {} } } },
    ]);
  });
});

describe('--arguments-as-objects', () => {
  it('writes each call\'s arguments as the object it was saved with instead of JSON text', async () => {
    const [text] = await exportOpenAi();
    const [objects] = await exportOpenAi({ argumentsAsObjects: true });
    expect(text.messages[2].tool_calls[0].function.arguments).toBe('{"input_text":["Ana loves jazz concerts"]}');
    expect(objects.messages[2].tool_calls[0].function.arguments).toEqual({ input_text: ['Ana loves jazz concerts'] });
    expect(objects.messages[2].tool_calls[0].id).toBe(text.messages[2].tool_calls[0].id);
  });
});

describe('--split-parallel-calls', () => {
  it('turns a reply with two calls into its text, then call, result, call, result, each call its own message', async () => {
    const anaAgain = (await exportOpenAi({ splitParallelCalls: true }))[2];
    const [first, second] = anaAgain.messages.filter((message: any) => message.tool_calls).map((message: any) => message.tool_calls[0].id);
    expect(anaAgain.messages.slice(2, 7)).toEqual([
      { role: 'assistant', content: '<think>Check both memory and diary.</think>\nLet me look.' },
      { role: 'assistant', tool_calls: [{ id: first, type: 'function', function: { name: 'recall_memories', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: first, content: '1. Ana loves jazz concerts' },
      { role: 'assistant', tool_calls: [{ id: second, type: 'function', function: { name: 'recall_diary', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: second, content: '1. Ana seemed excited about a concert in Lisbon.' },
    ]);
    expect(anaAgain.messages.slice(7)).toEqual([{ role: 'assistant', content: '<think>Both recalled.</think>\nYou love jazz! And I noted how excited you were about that Lisbon trio.' }]);
  });

  it('a call whose reply has no text left (--strip-thinking) gets no empty text message', async () => {
    const line = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[2]!);
    line.conversations[2].content = '<think>Check both.</think>\n[TOOL_CALLS] [{"name": "recall_memories", "arguments": {}}, {"name": "recall_diary", "arguments": {}}]';
    const inputPath = path.join(makeTemporaryDirectory(), 'input.jsonl');
    fs.writeFileSync(inputPath, `${JSON.stringify(line)}\n`);
    const [record] = await exportOpenAi({ splitParallelCalls: true, stripThinking: true }, inputPath);
    expect(record.messages.slice(2, 6).map((message: any) => (message.tool_calls ? 'call' : message.role))).toEqual(['call', 'tool', 'call', 'tool']);
  });
});

describe('options that only one format reads', () => {
  it.each([
    [{ format: 'sharegpt', argumentsAsObjects: true }, '--arguments-as-objects applies only to --format openai, got --format sharegpt'],
    [{ format: 'json', splitParallelCalls: true }, '--split-parallel-calls applies only to --format openai, got --format json'],
  ] as const)('%o is refused with a message naming the flag and the format', async (options, message) => {
    const outputPath = path.join(makeTemporaryDirectory(), 'export.out');
    const attempt = exportConversations({ inputPath: FIXTURE, outputPath, ...options });
    await expect(attempt).rejects.toBeInstanceOf(ExportError);
    await expect(attempt).rejects.toThrow(message);
    expect(fs.existsSync(outputPath)).toBe(false);
  });
});

describe('--keep-call-syntax', () => {
  it('puts back the markup the model wrote, recorded as metadata.toolCalls[i].original; the default keeps the canonical syntax', async () => {
    const line = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[2]!);
    const original = '[TOOL_CALLS] [{"name": "recall_memories", "arguments": {}}, {"name": "recall_diary", "arguments": {}}]';
    const canonical = '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>\n<tool_call>{"name": "recall_diary", "arguments": {}}</tool_call>';
    line.conversations[2].content = `<think>Check both.</think>\n\nLet me look.\n${canonical}`;
    line.metadata.toolCalls = line.metadata.toolCalls.map((call: any) => ({ ...call, raw: canonical, original }));
    const inputPath = path.join(makeTemporaryDirectory(), 'input.jsonl');
    fs.writeFileSync(inputPath, `${JSON.stringify(line)}\n`);
    const exportJson = async (keepCallSyntax: boolean) => {
      const outputPath = path.join(makeTemporaryDirectory(), 'export.json');
      await exportConversations({ format: 'json', inputPath, outputPath, keepCallSyntax });
      return JSON.parse(fs.readFileSync(outputPath, 'utf8'))[0].conversations[2].content;
    };
    expect(await exportJson(false)).toBe(`<think>Check both.</think>\n\nLet me look.\n${canonical}`);
    expect(await exportJson(true)).toBe(`<think>Check both.</think>\n\nLet me look.\n${original}`);
    const [record] = await exportOpenAi({ keepCallSyntax: true }, inputPath);
    expect(record.messages[2].content).toBe('<think>Check both.</think>\n\nLet me look.');
    expect(record.messages[2].tool_calls.map((call: any) => call.function.name)).toEqual(['recall_memories', 'recall_diary']);
  });
});
