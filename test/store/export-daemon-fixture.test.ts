/**
 * Every export format on output the real daemon wrote. The fixture
 * test/fixtures/store/daemon-conversations.jsonl is produced by scripts/make-export-fixture.ts
 * (`nightshift generate --offline --seed 7 ...` against the built-in emulator); regenerate it with
 * `npx tsx scripts/make-export-fixture.ts`. Ids and the order of lines change between runs, so the
 * expectations are derived from each saved conversation here, with logic independent of the
 * exporters, and the first test checks the fixture still has what the others rely on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../src/cli/export-command.js';
import { parseConversationLine } from '../../src/format/index.js';
import { exportConversations, parseWhereFilter } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { ADA_TOOL_SCHEMAS } from '../../src/tools/index.js';
import { FIXTURES, makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');

interface Message {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
}
interface ToolCall {
  readonly messageIndex: number;
  readonly resultIndex: number;
  readonly name: string;
  readonly arguments: unknown;
  readonly ok: boolean;
  readonly format: 'hermes' | 'python' | 'mistral' | 'plain';
  /** The markup as the model wrote it, kept when it was not already the canonical syntax. */
  readonly original?: string;
}
interface Saved {
  readonly id: string;
  readonly conversations: readonly Message[];
  readonly metadata: { readonly toolCalls: readonly ToolCall[]; readonly simulatedUser: { readonly id: string }; readonly [key: string]: unknown };
}

const FIXTURE_TEXT = fs.readFileSync(FIXTURE, 'utf8');
const SAVED: readonly Saved[] = FIXTURE_TEXT.split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as Saved);

async function exportFixture(options: Partial<ExportOptions> & Pick<ExportOptions, 'format'>) {
  const outputPath = path.join(makeTemporaryDirectory(), `export.${options.format}`);
  const summary = await exportConversations({ inputPath: FIXTURE, outputPath, includeDryRun: true, ...options });
  return { summary, text: fs.readFileSync(outputPath, 'utf8') };
}

function jsonLines(text: string): any[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

/** The assistant text after its `<think>` block, as a reader would cut it by hand. */
function withoutThinking(content: string): string {
  expect(content.startsWith('<think>')).toBe(true);
  return content.slice(content.indexOf('</think>') + '</think>'.length).replace(/^\s+/, '');
}

/**
 * The assistant text without its tool-call markup: since pipeline 1.3.0 the daemon saves every call
 * as `<tool_call>{...}</tool_call>` whatever syntax the model used, so this one cut serves them all.
 */
function withoutCallMarkup(content: string): string {
  return content.split('<tool_call>').map((part, index) => (index === 0 ? part : part.slice(part.indexOf('</tool_call>') + '</tool_call>'.length))).join('').trimEnd();
}

function callsByMessage(saved: Saved): Map<number, ToolCall[]> {
  const calls = new Map<number, ToolCall[]>();
  for (const call of saved.metadata.toolCalls) calls.set(call.messageIndex, [...(calls.get(call.messageIndex) ?? []), call]);
  return calls;
}

describe('the daemon-written fixture', () => {
  it('is valid store output and holds what the export checks rely on: every call format parsed and saved in the canonical syntax with the original kept, several calls in one reply, a failed call, <think> and a blank line on every reply', () => {
    expect(SAVED.length).toBeGreaterThanOrEqual(8);
    for (const line of FIXTURE_TEXT.slice(0, -1).split('\n')) expect(parseConversationLine(line).ok).toBe(true);
    const calls = SAVED.flatMap((saved) => saved.metadata.toolCalls);
    expect(new Set(calls.map((call) => call.format))).toEqual(new Set(['hermes', 'python', 'mistral', 'plain']));
    expect(SAVED.some((saved) => [...callsByMessage(saved).values()].some((group) => group.length > 1))).toBe(true);
    expect(calls.some((call) => !call.ok)).toBe(true);
    for (const saved of SAVED) {
      expect(saved.metadata.dryRun).toBe(true);
      expect(saved.conversations[0]!.content).toContain(saved.metadata.thinkingInstruction as string);
      expect((saved.metadata.tools as unknown[]).length).toBe(6);
      for (const message of saved.conversations.filter((message) => message.role === 'assistant')) {
        // Pipeline 1.3.0: a blank line after the reasoning, and every call in the one syntax the persona prompt teaches.
        expect(message.content).toMatch(/^<think>[\s\S]*<\/think>\n\n\S/);
        const visible = message.content.slice(message.content.indexOf('</think>'));
        for (const markup of ['[TOOL_CALLS]', 'tool_call:']) expect(visible).not.toContain(markup);
      }
      for (const call of saved.metadata.toolCalls) {
        if (call.format === 'hermes') continue;
        expect(call.original).toEqual(expect.any(String));
        expect(saved.conversations[call.messageIndex]!.content).toContain(`<tool_call>{"name": "${call.name}"`);
      }
      // The daemon's own invariant the openai export builds on: each call points at its reply and its own result.
      for (const call of saved.metadata.toolCalls) {
        expect(saved.conversations[call.messageIndex]?.role).toBe('assistant');
        expect(saved.conversations[call.resultIndex]?.role).toBe('tool');
      }
      expect(new Set(saved.metadata.toolCalls.map((call) => call.resultIndex)).size).toBe(saved.conversations.filter((message) => message.role === 'tool').length);
    }
  });
});

/** The original tool's shape, built by hand: each run of tool results one user turn of <tool_response> blocks. */
function originalShape(messages: readonly Message[], content: (message: Message) => string): Message[] {
  const shaped: Message[] = [];
  for (const message of messages) {
    const block = `<tool_response>\n${message.content}\n</tool_response>`;
    const previous = shaped.at(-1);
    if (message.role !== 'tool') shaped.push({ role: message.role, content: content(message) });
    else if (previous?.role === 'user' && previous.content.endsWith('</tool_response>')) shaped[shaped.length - 1] = { role: 'user', content: `${previous.content}\n${block}` };
    else shaped.push({ role: 'user', content: block });
  }
  return shaped;
}

/** `<think>…</think>` then exactly one blank line before the reply. */
function withBlankLine(content: string): string {
  const end = content.indexOf('</think>') + '</think>'.length;
  return `${content.slice(0, end)}\n\n${content.slice(end).replace(/^\s+/, '')}`;
}

describe('json', () => {
  it('is one array, one {"conversations"} item per line in input order: roles system/user/assistant only, results as <tool_response> user turns, a blank line after the reasoning', async () => {
    const { summary, text } = await exportFixture({ format: 'json' });
    expect(summary).toMatchObject({ exported: SAVED.length, skipped: 0, filteredOut: 0 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('[');
    expect(lines.slice(-2)).toEqual([']', '']);
    expect(lines).toHaveLength(SAVED.length + 3);
    const items = JSON.parse(text) as { conversations: Message[] }[];
    items.forEach((item, index) => {
      expect(Object.keys(item)).toEqual(['conversations']);
      const saved = SAVED[index]!;
      expect(item.conversations).toEqual(originalShape(saved.conversations, (message) => (message.role === 'assistant' ? withBlankLine(message.content) : message.content)));
      for (const message of item.conversations) {
        expect(Object.keys(message)).toEqual(['role', 'content']);
        expect(['system', 'user', 'assistant']).toContain(message.role);
        if (message.role === 'assistant') expect(message.content).toMatch(/^<think>[\s\S]*<\/think>\n\n\S/);
      }
    });
  });

  it('--strip-thinking leaves each reply as the text after its <think> block, tool calls included, the system prompt without its thinking instruction, and touches nothing else', async () => {
    const items = JSON.parse((await exportFixture({ format: 'json', stripThinking: true })).text) as { conversations: Message[] }[];
    items.forEach((item, index) => {
      const saved = SAVED[index]!;
      const instruction = saved.metadata.thinkingInstruction as string;
      const expected = originalShape(saved.conversations, (message) => {
        if (message.role === 'assistant') return withoutThinking(message.content);
        if (message.role !== 'system') return message.content;
        // The instruction is cut out where it stood; the text on both sides is kept.
        const [before, after] = message.content.split(instruction) as [string, string];
        return `${before.trimEnd()}\n\n${after.trimStart()}`;
      });
      expect(item.conversations).toEqual(expected);
      for (const message of item.conversations) expect(message.content).not.toMatch(/<\/?think>/);
    });
  });
});

describe('openai', () => {
  it('each call in metadata becomes a tool_call on the reply that made it, answered right after by a tool message with its id and its own result; ids are 9 alphanumerics unique per example; tools declares every called function', async () => {
    const records = jsonLines((await exportFixture({ format: 'openai', fallbackTools: ADA_TOOL_SCHEMAS })).text);
    expect(records).toHaveLength(SAVED.length);
    records.forEach((record, index) => {
      const saved = SAVED[index]!;
      const calls = callsByMessage(saved);
      expect(Object.keys(record)).toEqual(['messages', 'tools']);
      // The ids in the order the calls appear; checked for shape and uniqueness, then used to build the expectation.
      const ids: string[] = record.messages.flatMap((message: any) => (message.tool_calls ?? []).map((call: any) => call.id));
      expect(ids).toHaveLength(saved.metadata.toolCalls.length);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{9}$/);
      expect(new Set(ids).size).toBe(ids.length);
      let next = 0;
      const expected: unknown[] = [];
      saved.conversations.forEach((message, position) => {
        if (message.role === 'tool') return; // placed right after the reply that called
        const group = calls.get(position);
        if (group === undefined) {
          expected.push({ role: message.role, content: message.content });
          return;
        }
        const groupIds = group.map(() => ids[next++]);
        expected.push({
          role: 'assistant',
          content: withoutCallMarkup(message.content),
          tool_calls: group.map((call, order) => ({ id: groupIds[order], type: 'function', function: { name: call.name, arguments: expect.any(String) } })),
        });
        group.forEach((call, order) => expected.push({ role: 'tool', tool_call_id: groupIds[order], content: saved.conversations[call.resultIndex]!.content }));
      });
      expect(record.messages).toEqual(expected);
      // Arguments are JSON text decoding to exactly what the call was saved with.
      const toolCalls = record.messages.flatMap((message: any) => message.tool_calls ?? []);
      saved.metadata.toolCalls.forEach((call, order) => expect(JSON.parse(toolCalls[order].function.arguments)).toEqual(call.arguments));
      const declared = record.tools.map((tool: any) => tool.function.name);
      for (const call of saved.metadata.toolCalls) expect(declared).toContain(call.name);
      for (const tool of record.tools) expect(tool).toMatchObject({ type: 'function', function: { parameters: { type: 'object' } } });
    });
  });

  it('no call markup is left in any reply, the think block and the visible text stay; with --strip-thinking only the visible text', async () => {
    const plain = jsonLines((await exportFixture({ format: 'openai' })).text);
    const stripped = jsonLines((await exportFixture({ format: 'openai', stripThinking: true })).text);
    for (const [records, thinking] of [[plain, true], [stripped, false]] as const) {
      records.forEach((record, index) => {
        const replies = record.messages.filter((message: any) => message.role === 'assistant');
        const savedReplies = SAVED[index]!.conversations.filter((message) => message.role === 'assistant');
        expect(replies).toHaveLength(savedReplies.length);
        replies.forEach((reply: any, order: number) => {
          for (const markup of ['<tool_call>', '[TOOL_CALLS]', 'tool_call:']) expect(reply.content).not.toContain(markup);
          expect(reply.content.startsWith('<think>')).toBe(thinking);
          expect(reply.content.length).toBeGreaterThan(thinking ? savedReplies[order]!.content.indexOf('</think>') + 8 : 0);
        });
      });
    }
  });
});

describe('jsonl', () => {
  it('re-writes the daemon output byte for byte; --minimal keeps only id and conversations; --where selects on a metadata field', async () => {
    expect((await exportFixture({ format: 'jsonl' })).text).toBe(FIXTURE_TEXT);
    const minimal = jsonLines((await exportFixture({ format: 'jsonl', minimal: true })).text);
    expect(minimal).toEqual(SAVED.map((saved) => ({ id: saved.id, conversations: saved.conversations })));
    const userId = SAVED[0]!.metadata.simulatedUser.id;
    const ofUser = await exportFixture({ format: 'jsonl', where: [parseWhereFilter(`metadata.simulatedUser.id=${userId}`)] });
    const expectedIds = SAVED.filter((saved) => saved.metadata.simulatedUser.id === userId).map((saved) => saved.id);
    expect(jsonLines(ofUser.text).map((line) => line.id)).toEqual(expectedIds);
    expect(ofUser.summary).toMatchObject({ exported: expectedIds.length, filteredOut: SAVED.length - expectedIds.length });
  });
});

describe('the export command on the daemon output', () => {
  it.each(['json', 'sharegpt', 'openai', 'jsonl', 'hf'])('--format %s exports every conversation and skips none', async (format) => {
    const outputPath = path.join(makeTemporaryDirectory(), `out.${format}`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    let errors = '';
    stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await runExportCommand(['--format', format, '--input', FIXTURE, '--output', outputPath, '--include-dry-run'], { stdout, stderr });
    expect(errors).toBe('');
    expect(code).toBe(0);
    expect(printed.startsWith(`Exported ${SAVED.length} conversations (0 skipped) to ${outputPath}\n`)).toBe(true);
  });

  it('--format hf --test-split says where each split went and the one line that loads the directory', async () => {
    const outputPath = path.join(makeTemporaryDirectory(), 'dataset');
    const stdout = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const code = await runExportCommand(['--format', 'hf', '--input', FIXTURE, '--output', outputPath, '--include-dry-run', '--test-split', '0.5'], { stdout, stderr: new PassThrough() });
    expect(code).toBe(0);
    const count = (split: string) => fs.readFileSync(path.join(outputPath, 'data', `${split}.jsonl`), 'utf8').split('\n').length - 1;
    expect(printed).toBe(
      `Exported ${SAVED.length} conversations (0 skipped) to ${outputPath}\n` +
        `  train: ${count('train')} conversations in ${path.join(outputPath, 'data', 'train.jsonl')}\n` +
        `  test: ${count('test')} conversations in ${path.join(outputPath, 'data', 'test.jsonl')}\n` +
        `Load it with: datasets.load_dataset(${JSON.stringify(outputPath)})\n`,
    );
  });
});

describe('a reply that rehearses its call in the reasoning, as reasoning models do', () => {
  /** A daemon conversation whose first calling reply mentions call markup inside its <think> block. */
  function withRehearsal(): { line: string; position: number; reasoning: string; visible: string } {
    const saved = SAVED.find((candidate) => candidate.metadata.toolCalls.length > 0)!;
    const position = saved.metadata.toolCalls[0]!.messageIndex;
    const original = saved.conversations[position]!.content;
    const reasoning =
      '<think>\nThey want this kept, so I answer briefly and then save it. In Mistral style that would be ' +
      '[TOOL_CALLS] [{"name": "add_memory"}], as plain text tool_call: add_memory, but the system prompt asks for the ' +
      '<tool_call> tag, like <tool_call>{"name": "add_memory", "arguments": {}}</tool_call>.\n</think>';
    const content = `${reasoning}${original.slice(original.indexOf('</think>') + '</think>'.length)}`;
    const conversations = saved.conversations.map((message, index) => (index === position ? { ...message, content } : message));
    const visible = withoutCallMarkup(withoutThinking(content));
    return { line: `${JSON.stringify({ ...saved, conversations })}\n`, position, reasoning, visible };
  }

  it('openai keeps the reasoning whole and strips only the calls after it', async () => {
    const { line, position, reasoning, visible } = withRehearsal();
    const inputPath = path.join(makeTemporaryDirectory(), 'rehearsal.jsonl');
    fs.writeFileSync(inputPath, line);
    const outputPath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    await exportConversations({ format: 'openai', inputPath, outputPath, includeDryRun: true });
    const [record] = jsonLines(fs.readFileSync(outputPath, 'utf8'));
    // The rehearsing reply is the first that calls (position is the first call's messageIndex).
    const reply = record.messages.find((message: any) => message.tool_calls !== undefined);
    expect(record.messages.indexOf(reply)).toBe(position);
    expect(visible.length).toBeGreaterThan(0);
    expect(reply.content).toBe(`${reasoning}\n\n${visible}`);
  });
});
