import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportConversations } from '../../src/store/export-conversations.js';
import type { ExportOptions } from '../../src/store/export-conversations.js';
import { parseWhereFilter } from '../../src/store/conversation-filters.js';
import { FIXTURES, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'conversations.jsonl');

async function exportFixture(options: Partial<ExportOptions> & Pick<ExportOptions, 'format'>, inputPath = FIXTURE) {
  const outputPath = path.join(makeTemporaryDirectory(), 'out', `export.${options.format}`);
  const summary = await exportConversations({ inputPath, outputPath, ...options });
  return { summary, outputPath, text: fs.readFileSync(outputPath, 'utf8') };
}

const jsonLines = (text: string): any[] => readLinesOf(text).map((line) => JSON.parse(line));
function readLinesOf(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('json (the original Python format)', () => {
  it('is one JSON array of {conversations: [{role, content}]} in input order, roles system/user/assistant only, nothing else kept', async () => {
    const { summary, text } = await exportFixture({ format: 'json' });
    expect(summary).toMatchObject({ exported: 4, skipped: 0, filteredOut: 0 });
    expect(text.startsWith('[\n{"conversations":[')).toBe(true);
    expect(text.endsWith('}\n]\n')).toBe(true);
    const items = JSON.parse(text) as any[];
    expect(items).toHaveLength(4);
    for (const item of items) expect(Object.keys(item)).toEqual(['conversations']);
    expect(items[0].conversations).toHaveLength(7);
    expect(items[0].conversations[0]).toEqual({ role: 'system', content: expect.stringContaining('You are Ada') });
    // A tool result is a user turn of <tool_response> blocks, as a Qwen/Hermes template renders it.
    expect(items[0].conversations[3]).toEqual({ role: 'user', content: '<tool_response>\nSaved 1 memory: "Ana loves jazz concerts".\n</tool_response>' });
    // The reply follows its reasoning after one blank line.
    expect(items[0].conversations[2].content).toMatch(/^<think>Ana mentions jazz; this is worth remembering for later\.<\/think>\n\nThat sounds wonderful!/);
    // Two results in a row are one user turn.
    expect(items[2].conversations.map((message: any) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
    expect(items[2].conversations[3].content).toBe('<tool_response>\n1. Ana loves jazz concerts\n</tool_response>\n<tool_response>\n1. Ana seemed excited about a concert in Lisbon.\n</tool_response>');
    for (const item of items) for (const message of item.conversations) expect(['system', 'user', 'assistant']).toContain(message.role);
    expect(items[3].conversations[0]).toEqual({
      role: 'user',
      content: 'Please note in your diary that I started learning the cello today.',
    });
  });

  it('an export where nothing matches is the empty array', async () => {
    const { summary, text } = await exportFixture({ format: 'json', where: [parseWhereFilter('id=nobody')] });
    expect(summary).toMatchObject({ exported: 0, filteredOut: 4 });
    expect(JSON.parse(text)).toEqual([]);
  });
});

describe('sharegpt (LLaMA-Factory)', () => {
  it('a reply that called becomes a function_call turn (reasoning, then the calls as JSON) and its results one observation turn', async () => {
    const { text } = await exportFixture({ format: 'sharegpt' });
    const [ana, bob, anaAgain, carla] = jsonLines(text);
    expect(Object.keys(ana)).toEqual(['conversations', 'tools']);
    expect(ana.conversations.map((turn: any) => turn.from)).toEqual(['system', 'human', 'function_call', 'observation', 'gpt', 'human', 'gpt']);
    expect(ana.conversations[2].value).toBe('<think>\nAna mentions jazz; this is worth remembering for later.\n</think>\n\n{"name":"add_memory","arguments":{"input_text":["Ana loves jazz concerts"]}}');
    expect(bob.conversations.map((turn: any) => turn.from)).toEqual(['system', 'human', 'gpt', 'human', 'gpt']);
    expect(anaAgain.conversations.map((turn: any) => turn.from)).toEqual(['system', 'human', 'function_call', 'observation', 'gpt']);
    expect(JSON.parse(anaAgain.conversations[2].value.split('</think>\n\n')[1])).toEqual([
      { name: 'recall_memories', arguments: {} },
      { name: 'recall_diary', arguments: {} },
    ]);
    expect(anaAgain.conversations[3].value).toBe('1. Ana loves jazz concerts\n</tool_response>\n<tool_response>\n1. Ana seemed excited about a concert in Lisbon.');
    // Without metadata.toolCalls the call stays in the gpt text and the result is still an observation.
    expect(carla.conversations.map((turn: any) => turn.from)).toEqual(['human', 'gpt', 'observation', 'gpt']);
  });
});

const NINE_ALPHANUMERICS = /^[A-Za-z0-9]{9}$/;

describe('openai', () => {
  it('a Hermes tool call becomes native tool_calls with JSON-string arguments and a matching tool message', async () => {
    const { text } = await exportFixture({ format: 'openai' });
    const [ana] = jsonLines(text);
    expect(Object.keys(ana)).toEqual(['messages', 'tools']);
    expect(ana.messages.map((message: any) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant']);
    const id = ana.messages[2].tool_calls[0].id;
    expect(id).toMatch(NINE_ALPHANUMERICS);
    expect(ana.messages[2]).toEqual({
      role: 'assistant',
      content: '<think>Ana mentions jazz; this is worth remembering for later.</think>\nThat sounds wonderful! Who was playing?',
      tool_calls: [
        {
          id,
          type: 'function',
          function: { name: 'add_memory', arguments: '{"input_text":["Ana loves jazz concerts"]}' },
        },
      ],
    });
    expect(ana.messages[3]).toEqual({ role: 'tool', tool_call_id: id, content: 'Saved 1 memory: "Ana loves jazz concerts".' });
    expect(ana.messages[4]).toEqual({
      role: 'assistant',
      content: '<think>Memory saved; continue the conversation.</think>\n\nI will remember that you love jazz. Tell me more about the band!',
    });
  });

  it('two Mistral-format calls in one message get two ids, each answered by its own tool message', async () => {
    const { text } = await exportFixture({ format: 'openai' });
    const anaAgain = jsonLines(text)[2];
    const [first, second] = anaAgain.messages[2].tool_calls.map((call: any) => call.id);
    for (const id of [first, second]) expect(id).toMatch(NINE_ALPHANUMERICS);
    expect(first).not.toBe(second);
    expect(anaAgain.messages[2]).toEqual({
      role: 'assistant',
      content: '<think>Check both memory and diary.</think>\nLet me look.',
      tool_calls: [
        { id: first, type: 'function', function: { name: 'recall_memories', arguments: '{}' } },
        { id: second, type: 'function', function: { name: 'recall_diary', arguments: '{}' } },
      ],
    });
    expect(anaAgain.messages.slice(3, 5)).toEqual([
      { role: 'tool', tool_call_id: first, content: '1. Ana loves jazz concerts' },
      { role: 'tool', tool_call_id: second, content: '1. Ana seemed excited about a concert in Lisbon.' },
    ]);
  });

  it('without metadata.toolCalls the result is a <tool_response> user message and the assistant text is kept as is', async () => {
    const { text } = await exportFixture({ format: 'openai' });
    const carla = jsonLines(text)[3];
    expect(carla.messages).toEqual([
      { role: 'user', content: 'Please note in your diary that I started learning the cello today.' },
      {
        role: 'assistant',
        content: '<think>Write it in the diary.</think>\nHow exciting, Carla!\ntool_call: add_diary\narguments: {"input_text": ["Carla started learning the cello"]}',
      },
      { role: 'user', content: '<tool_response>\nSaved 1 diary entry.\n</tool_response>' },
      { role: 'assistant', content: '<think>Done.</think>\nNoted in my diary. Good luck with your first lessons!' },
    ]);
  });

  it('with --strip-thinking, a tool-call message with no text left has tool_calls and no content', async () => {
    const { text } = await exportFixture({ format: 'openai', stripThinking: true });
    const ana = jsonLines(text)[0];
    expect(ana.messages[2]).toEqual({
      role: 'assistant',
      content: 'That sounds wonderful! Who was playing?',
      tool_calls: [expect.objectContaining({ id: expect.stringMatching(NINE_ALPHANUMERICS) })],
    });
    expect(ana.messages[4].content).toBe('I will remember that you love jazz. Tell me more about the band!');
  });
});

describe('jsonl (native)', () => {
  it('rewrites each conversation with id first and metadata; --minimal drops the metadata', async () => {
    const full = await exportFixture({ format: 'jsonl' });
    const original = fs.readFileSync(FIXTURE, 'utf8');
    expect(full.text).toBe(original);
    const minimal = await exportFixture({ format: 'jsonl', minimal: true });
    const [first] = jsonLines(minimal.text);
    expect(Object.keys(first)).toEqual(['id', 'conversations']);
    expect(first.id).toBe('conv-ana-0001');
    expect(first.conversations).toHaveLength(7);
  });

  it('--minimal with another format is refused rather than silently ignored', async () => {
    await expect(exportFixture({ format: 'openai', minimal: true })).rejects.toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
  });
});

describe('selection and cleaning', () => {
  it('--strip-thinking removes think blocks and the whitespace after them from assistant messages only', async () => {
    const inputPath = path.join(makeTemporaryDirectory(), 'in.jsonl');
    const conversation = {
      id: 'think',
      conversations: [
        { role: 'user', content: '<think>a user quoting tags keeps them</think> hi' },
        { role: 'assistant', content: '<think>first\nsecond line</think>\n\n  Hello <think>again</think> there' },
      ],
      metadata: {},
    };
    fs.writeFileSync(inputPath, `${JSON.stringify(conversation)}\n`);
    const { text } = await exportFixture({ format: 'jsonl', stripThinking: true }, inputPath);
    const [line] = jsonLines(text);
    expect(line.conversations[0].content).toBe('<think>a user quoting tags keeps them</think> hi');
    expect(line.conversations[1].content).toBe('Hello there');
  });

  it('--where filters by a dot path with AND across repeats', async () => {
    const ana = await exportFixture({ format: 'jsonl', where: [parseWhereFilter('metadata.simulatedUser.name=Ana')] });
    expect(jsonLines(ana.text).map((line) => line.id)).toEqual(['conv-ana-0001', 'conv-ana-0002']);
    expect(ana.summary).toMatchObject({ exported: 2, filteredOut: 2 });
    const anaMusic = await exportFixture({
      format: 'jsonl',
      where: [parseWhereFilter('metadata.simulatedUser.name=Ana'), parseWhereFilter('metadata.topic=music')],
    });
    expect(jsonLines(anaMusic.text).map((line) => line.id)).toEqual(['conv-ana-0001']);
    const byNumber = await exportFixture({ format: 'jsonl', where: [parseWhereFilter('metadata.simulatedUser.age=51')] });
    expect(jsonLines(byNumber.text).map((line) => line.id)).toEqual(['conv-bob-0001']);
    const byBoolean = await exportFixture({ format: 'json', where: [parseWhereFilter('metadata.dryRun=false')] });
    expect(JSON.parse(byBoolean.text)).toHaveLength(4);
    const onObject = await exportFixture({ format: 'json', where: [parseWhereFilter('metadata.simulatedUser=[object Object]')] });
    expect(JSON.parse(onObject.text)).toEqual([]);
  });

  it('--with-tools keeps only conversations whose metadata.toolCalls is non-empty', async () => {
    const { text, summary } = await exportFixture({ format: 'jsonl', withTools: true });
    expect(jsonLines(text).map((line) => line.id)).toEqual(['conv-ana-0001', 'conv-ana-0002']);
    expect(summary.filteredOut).toBe(2);
  });

  it('bad input lines are skipped and reported with their line numbers; blank lines are ignored', async () => {
    const inputPath = path.join(makeTemporaryDirectory(), 'in.jsonl');
    const [first, second] = readLines(FIXTURE);
    fs.writeFileSync(
      inputPath,
      [first, '{"id": "torn", "conv', '', JSON.stringify({ id: 'x', conversations: [{ role: 'robot', content: 'beep' }] }), second, '42'].join('\n'),
    );
    const { summary, text } = await exportFixture({ format: 'jsonl' }, inputPath);
    expect(summary).toMatchObject({ exported: 2, skipped: 3 });
    expect(summary.badLines.map((bad) => bad.line)).toEqual([2, 4, 6]);
    expect(summary.badLines[0]?.reason).toMatch(/^not JSON/);
    expect(summary.badLines[1]?.reason).toMatch(/^not a saved conversation at conversations\.0\.role/);
    expect(jsonLines(text)).toHaveLength(2);
  });
});

describe('failures', () => {
  it('a missing input is an EXPORT_INPUT_UNREADABLE error naming the file, and no output is left behind', async () => {
    const directory = makeTemporaryDirectory();
    const outputPath = path.join(directory, 'out.json');
    const error = await exportConversations({ format: 'json', inputPath: path.join(directory, 'missing.jsonl'), outputPath }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EXPORT_INPUT_UNREADABLE' });
    expect((error as Error).message).toContain('missing.jsonl');
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it('a folder as input is refused, and an output inside a file path is EXPORT_OUTPUT_UNWRITABLE with no partial file', async () => {
    const directory = makeTemporaryDirectory();
    await expect(exportConversations({ format: 'json', inputPath: directory, outputPath: path.join(directory, 'o') })).rejects.toMatchObject({
      code: 'EXPORT_INPUT_UNREADABLE',
    });
    const blocker = path.join(directory, 'a-file');
    fs.writeFileSync(blocker, '');
    await expect(exportConversations({ format: 'json', inputPath: FIXTURE, outputPath: path.join(blocker, 'out.json') })).rejects.toMatchObject({
      code: 'EXPORT_OUTPUT_UNWRITABLE',
    });
    expect(fs.readdirSync(directory)).toEqual(['a-file']);
  });

  it('exporting a file onto itself is refused before anything is written', async () => {
    const inputPath = path.join(makeTemporaryDirectory(), 'in.jsonl');
    fs.copyFileSync(FIXTURE, inputPath);
    await expect(exportConversations({ format: 'jsonl', inputPath, outputPath: inputPath })).rejects.toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
    expect(fs.readFileSync(inputPath, 'utf8')).toBe(fs.readFileSync(FIXTURE, 'utf8'));
  });
});
