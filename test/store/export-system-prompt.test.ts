/**
 * The system prompt in the exports: --strip-thinking removes the recorded thinking instruction,
 * --system-prompt FILE replaces the prompt and --no-system-prompt drops it, tool calls staying
 * attached to their messages; lines without a recorded instruction are counted for a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../src/cli/export-command.js';
import { exportConversations } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { FIXTURES, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const DAEMON_FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');
const SAVED = readLines(DAEMON_FIXTURE).map((line) => JSON.parse(line));

async function exportDaemon(options: Partial<ExportOptions> & Pick<ExportOptions, 'format'>, inputPath = DAEMON_FIXTURE) {
  const outputPath = path.join(makeTemporaryDirectory(), 'export.out');
  const summary = await exportConversations({ inputPath, outputPath, includeDryRun: true, ...options });
  return { summary, records: readLines(outputPath).map((line) => JSON.parse(line)) };
}

describe('the system prompt in exports', () => {
  it('--no-system-prompt drops it and the openai tool calls still sit on the replies that made them', async () => {
    const { records } = await exportDaemon({ format: 'openai', systemPrompt: { kind: 'drop' } });
    records.forEach((record, index) => {
      expect(record.messages[0].role).toBe('user');
      expect(record.messages.some((message: any) => message.role === 'system')).toBe(false);
      const calls = record.messages.flatMap((message: any) => message.tool_calls ?? []);
      expect(calls.map((call: any) => call.function.name)).toEqual(SAVED[index].metadata.toolCalls.map((call: any) => call.name));
    });
  });

  it('--system-prompt replaces it with the given text, in every format', async () => {
    for (const format of ['sharegpt', 'openai', 'jsonl'] as const) {
      const { records } = await exportDaemon({ format, systemPrompt: { kind: 'replace', text: 'You are a helpful assistant.' } });
      for (const record of records) {
        const first = (record.messages ?? record.conversations)[0];
        expect(first.content ?? first.value).toBe('You are a helpful assistant.');
      }
    }
  });

  it('--strip-thinking on lines saved before metadata.thinkingInstruction counts the prompts that still mention <think>', async () => {
    const lines = SAVED.slice(0, 3).map((saved) => {
      const { thinkingInstruction: _removed, ...metadata } = saved.metadata;
      return JSON.stringify({ ...saved, metadata });
    });
    const inputPath = path.join(makeTemporaryDirectory(), 'old.jsonl');
    fs.writeFileSync(inputPath, `${lines.join('\n')}\n`);
    const { summary } = await exportDaemon({ format: 'openai', stripThinking: true }, inputPath);
    expect(summary.thinkingInstructionsLeft).toBe(3);
    const replaced = await exportDaemon({ format: 'openai', stripThinking: true, systemPrompt: { kind: 'replace', text: 'Be kind.' } }, inputPath);
    expect(replaced.summary.thinkingInstructionsLeft).toBe(0);

    let errors = '';
    const stderr = new PassThrough();
    stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const outputPath = path.join(makeTemporaryDirectory(), 'out.jsonl');
    const code = await runExportCommand(['--format', 'openai', '--input', inputPath, '--output', outputPath, '--strip-thinking', '--include-dry-run'], { stdout: new PassThrough(), stderr });
    expect(code).toBe(0);
    expect(errors).toContain('Warning: 3 exported system prompt(s) still mention <think> after --strip-thinking');
    expect(errors).toContain('--system-prompt FILE');
  });

  it('the command refuses an empty --system-prompt file and the two flags together', async () => {
    const directory = makeTemporaryDirectory();
    const empty = path.join(directory, 'empty.md');
    fs.writeFileSync(empty, '  \n');
    const run = async (extra: string[]) => {
      let errors = '';
      const stderr = new PassThrough();
      stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const code = await runExportCommand(['--format', 'openai', '--input', DAEMON_FIXTURE, '--output', path.join(directory, 'out.jsonl'), ...extra], { stdout: new PassThrough(), stderr });
      return { code, errors };
    };
    expect(await run(['--system-prompt', empty])).toEqual({ code: 2, errors: expect.stringContaining('is empty; to export without a system prompt, use --no-system-prompt') });
    expect(await run(['--system-prompt', empty, '--no-system-prompt'])).toEqual({ code: 2, errors: expect.stringContaining('contradict each other') });
  });
});

describe('dry-run conversations', () => {
  it('are left out of every export unless --include-dry-run, and the command says how many and which flag', async () => {
    const outputPath = path.join(makeTemporaryDirectory(), 'export.jsonl');
    const summary = await exportConversations({ format: 'openai', inputPath: DAEMON_FIXTURE, outputPath });
    expect(summary).toMatchObject({ exported: 0, dryRunLeftOut: SAVED.length, filteredOut: 0 });
    expect(fs.readFileSync(outputPath, 'utf8')).toBe('');
    let errors = '';
    const stderr = new PassThrough();
    stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await runExportCommand(['--format', 'json', '--input', DAEMON_FIXTURE, '--output', path.join(makeTemporaryDirectory(), 'out.json')], { stdout: new PassThrough(), stderr });
    expect(code).toBe(0);
    expect(errors).toContain(`Left out ${SAVED.length} dry-run conversation(s)`);
    expect(errors).toContain('--include-dry-run');
  });
});
