/**
 * The sharegpt export checked against LLaMA-Factory's own acceptance rules, re-implemented here from
 * its source (facts, not code): hiyouga/LLaMA-Factory src/llamafactory/data/converter.py,
 * `SharegptDatasetConverter.__call__`, and the `FunctionFormatter` of src/llamafactory/data/formatter.py.
 * - With a system tag set, a first turn tagged `system` is taken as the system prompt.
 * - The remaining turns at even positions must be `human` or `observation`, at odd positions `gpt`
 *   or `function_call`; otherwise "Invalid role tag" and the example is skipped as abnormal.
 * - Their count must be even (a normal example), otherwise "Invalid message count" and skipped.
 * - A `function_call` value, once a `<think>…</think>` thought is cut out, must parse as JSON: one
 *   `{"name", "arguments"}` object or a list of them (parallel calls).
 * - The `tools` column is JSON text of the tool list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../src/cli/export-command.js';
import { exportConversations } from '../../src/store/index.js';
import { FIXTURES, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');
const SAVED = readLines(FIXTURE).map((line) => JSON.parse(line));

const TAGS = { user: 'human', assistant: 'gpt', observation: 'observation', function: 'function_call', system: 'system' } as const;
const THOUGHT = /<think>(.*)<\/think>/s;

interface Accepted {
  readonly kept: boolean;
  readonly reason?: string;
  readonly roles: readonly string[];
  readonly calls: readonly { name: string; arguments: unknown }[];
}

/** What LLaMA-Factory's ShareGPT converter does with one example (see the header for the source). */
function readAsLlamaFactory(example: { conversations: { from: string; value: string }[]; tools: unknown }): Accepted {
  let turns = example.conversations;
  if (turns.length > 0 && turns[0]!.from === TAGS.system) turns = turns.slice(1);
  const acceptTags = [[TAGS.user, TAGS.observation], [TAGS.assistant, TAGS.function]] as const;
  const roles: string[] = [];
  const calls: { name: string; arguments: unknown }[] = [];
  for (const [index, turn] of turns.entries()) {
    if (!(acceptTags[index % 2] as readonly string[]).includes(turn.from)) return { kept: false, reason: `Invalid role tag at ${index}`, roles, calls };
    roles.push(turn.from);
    if (turn.from === TAGS.function) {
      const parsed = JSON.parse(turn.value.replace(THOUGHT, ''));
      for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
        if (typeof call.name !== 'string' || call.arguments === undefined) return { kept: false, reason: 'function without name/arguments', roles, calls };
        calls.push(call);
      }
    }
  }
  if (roles.length % 2 !== 0) return { kept: false, reason: 'Invalid message count', roles, calls };
  if (typeof example.tools !== 'string') return { kept: false, reason: 'tools is not JSON text', roles, calls };
  JSON.parse(example.tools);
  return { kept: true, roles, calls };
}

async function exportShareGpt(stripThinking: boolean): Promise<any[]> {
  const outputPath = path.join(makeTemporaryDirectory(), 'nightshift.jsonl');
  await exportConversations({ format: 'sharegpt', inputPath: FIXTURE, outputPath, stripThinking, includeDryRun: true });
  return readLines(outputPath).map((line) => JSON.parse(line));
}

describe('the sharegpt export read by LLaMA-Factory', () => {
  it.each([false, true])('keeps every example, calls read as function_call and results as observation (strip thinking: %s)', async (stripThinking) => {
    const records = await exportShareGpt(stripThinking);
    expect(records).toHaveLength(SAVED.length);
    records.forEach((record, index) => {
      const read = readAsLlamaFactory(record);
      expect(read, read.reason).toMatchObject({ kept: true });
      const saved = SAVED[index];
      // Every call, in order, with the arguments it was saved with.
      expect(read.calls).toEqual(saved.metadata.toolCalls.map((call: any) => ({ name: call.name, arguments: call.arguments ?? {} })));
      // One observation per reply that called, holding each of its results.
      const callingReplies = new Set(saved.metadata.toolCalls.map((call: any) => call.messageIndex));
      expect(read.roles.filter((role) => role === 'observation')).toHaveLength(callingReplies.size);
      const observations = record.conversations.filter((turn: any) => turn.from === 'observation').map((turn: any) => turn.value).join('\n');
      for (const call of saved.metadata.toolCalls) expect(observations).toContain(saved.conversations[call.resultIndex].content);
      expect(JSON.parse(record.tools).map((tool: any) => tool.name)).toEqual(saved.metadata.tools.map((tool: any) => tool.function.name));
      for (const turn of record.conversations) {
        if (stripThinking && turn.from !== 'system') expect(turn.value).not.toContain('<think>');
      }
    });
    expect(records.some((record) => record.conversations.some((turn: any) => turn.from === 'function_call' && turn.value.replace(THOUGHT, '').trim().startsWith('[')))).toBe(true);
  });

  it('the command prints the dataset_info.json entry that loads the file', async () => {
    const outputPath = path.join(makeTemporaryDirectory(), 'nightshift.jsonl');
    let printed = '';
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const code = await runExportCommand(['--format', 'sharegpt', '--input', FIXTURE, '--output', outputPath, '--include-dry-run'], { stdout, stderr: new PassThrough() });
    expect(code).toBe(0);
    const entry = JSON.parse(printed.slice(printed.indexOf('{')));
    expect(entry).toEqual({
      nightshift: {
        file_name: 'nightshift.jsonl',
        formatting: 'sharegpt',
        columns: { messages: 'conversations', tools: 'tools' },
        tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', observation_tag: 'observation', function_tag: 'function_call', system_tag: 'system' },
      },
    });
    expect(printed).toContain('dataset: nightshift');
    expect(fs.existsSync(outputPath)).toBe(true);
  });
});
