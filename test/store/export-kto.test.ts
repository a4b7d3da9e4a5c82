import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureStream } from '../helpers/capture-stream.js';
import { runExportCommand } from '../../src/cli/export-command.js';
import type { KtoRecord } from '../../src/store/index.js';
import { makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

/** Ten conversations a real daemon saved (the validation fixture), to be split into valid and invalid files. */
const DAEMON_LINES = readFileSync(path.join(import.meta.dirname, '../fixtures/validate/daemon-conversations.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

async function runExport(argv: string[]) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runExportCommand(argv, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `valid` lines in conversations.jsonl, the next `invalid` ones (labelled false) in conversations_invalid.jsonl. */
function writeRun(valid: number, invalid: number): { directory: string; input: string; output: string } {
  const directory = makeTemporaryDirectory();
  const input = path.join(directory, 'conversations.jsonl');
  const lines = DAEMON_LINES.map((line) => JSON.parse(line) as Record<string, unknown>);
  writeFileSync(input, lines.slice(0, valid).map((line) => `${JSON.stringify({ ...line, label: true })}\n`).join(''));
  const negatives = lines.slice(valid, valid + invalid).map((line) => ({ ...line, label: false, report: { issues: [{ level: 'error', code: 'refusal', message: 'x' }] } }));
  writeFileSync(path.join(directory, 'conversations_invalid.jsonl'), negatives.map((line) => `${JSON.stringify(line)}\n`).join(''));
  return { directory, input, output: path.join(directory, 'kto.jsonl') };
}

const readKto = (file: string): KtoRecord[] =>
  readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as KtoRecord);

describe('export --format kto', () => {
  it('7 valid and 3 invalid Ada conversations give 3 true and 3 false, interleaved, and say 4 were dropped to balance', async () => {
    const run = writeRun(7, 3);
    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--include-dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Exported 6 KTO examples');
    expect(result.stderr).toContain('4 dropped to balance the labels');
    const records = readKto(run.output);
    expect(records.map((record) => record.label)).toEqual([true, false, true, false, true, false]);
    for (const record of records) {
      expect(Object.keys(record)).toEqual(['prompt', 'completion', 'label']);
      expect(record.prompt.at(-1)!.role).toBe('user');
      expect(record.completion[0]!.role).toBe('assistant');
      expect(record.completion.at(-1)!.role).toBe('assistant');
      for (const message of [...record.prompt, ...record.completion]) expect(Object.keys(message)).toEqual(['role', 'content']);
    }
    // The prompt and the completion together are the whole conversation, in order.
    const first = JSON.parse(DAEMON_LINES[0]!) as { conversations: { role: string; content: string }[] };
    expect([...records[0]!.prompt, ...records[0]!.completion]).toEqual(first.conversations.map(({ role, content }) => ({ role, content })));
    expect(records[0]!.completion.some((message) => message.content.includes('<think>'))).toBe(true);
  });

  it('--redact and --anonymize-users protect KTO examples as every other format, and say what they replaced', async () => {
    const run = writeRun(2, 2);
    // An e-mail address and the simulated user's name in every conversation, valid and invalid.
    for (const file of [run.input, path.join(run.directory, 'conversations_invalid.jsonl')]) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
      const marked = lines.map((line) => {
        const conversation = JSON.parse(line) as { conversations: { role: string; content: string }[]; metadata: Record<string, unknown> };
        const user = conversation.conversations.find((message) => message.role === 'user')!;
        user.content = `I am Zelda Quist, write to zelda.quist@example.org. ${user.content}`;
        conversation.metadata['simulatedUser'] = { id: 'user-z', name: 'Zelda Quist' };
        return `${JSON.stringify(conversation)}\n`;
      });
      writeFileSync(file, marked.join(''));
    }
    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--include-dry-run', '--redact', '--anonymize-users']);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(run.output, 'utf8');
    expect(readKto(run.output)).toHaveLength(4);
    expect(text).not.toContain('zelda.quist@example.org');
    expect(text).not.toContain('Zelda');
    expect(text).toContain('<EMAIL>');
    expect(result.stdout).toMatch(/Redacted \d+: 4 e-mail/);
    expect(result.stdout).toContain('Anonymized 4 simulated user(s)');
  });

  it('--strip-thinking removes the reasoning from every completion, as in the other formats', async () => {
    const run = writeRun(2, 2);
    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--include-dry-run', '--strip-thinking']);
    expect(result.code, result.stderr).toBe(0);
    const records = readKto(run.output);
    expect(records).toHaveLength(4);
    expect(records.every((record) => record.completion.every((message) => !message.content.includes('<think>')))).toBe(true);
  });

  it('dry-run conversations are left out unless asked, and the command says so', async () => {
    const run = writeRun(3, 3);
    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(run.output, 'utf8')).toBe('');
    expect(result.stderr).toContain('3 dry-run conversation(s) left out (add --include-dry-run)');
    expect(result.stderr).toContain('nothing was exported');
  });

  it('without the invalid file it stops with exit 2 and says where the undesirable examples come from', async () => {
    const run = writeRun(2, 0);
    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--invalid', path.join(run.directory, 'absent.jsonl')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/KTO needs undesirable examples: cannot read .*absent\.jsonl \(ENOENT/);
    expect(() => readFileSync(run.output)).toThrow(/ENOENT/);
  });

  it('an invalid conversation is cut at the turn its first error is in: the false completion is the flawed reply, not a later one', async () => {
    const run = writeRun(1, 0);
    // Line 1 is system, user, assistant, user, assistant, user, assistant, tool, tool, assistant.
    const saved = JSON.parse(DAEMON_LINES[1]!) as { conversations: { role: string; content: string }[] } & Record<string, unknown>;
    const issues = [
      { level: 'warning', code: 'tool-failed', messageIndex: 2, message: 'a warning labels nothing' },
      { level: 'error', code: 'missing-think', messageIndex: 4, message: 'Assistant message 4 has no <think> block' },
      { level: 'error', code: 'refusal', messageIndex: 9, message: 'Assistant message 9 holds a refusal' },
    ];
    writeFileSync(path.join(run.directory, 'conversations_invalid.jsonl'), `${JSON.stringify({ ...saved, label: false, report: { issues } })}\n`);
    const plain = (indices: number[]) => indices.map((index) => ({ role: saved.conversations[index]!.role, content: saved.conversations[index]!.content }));

    const result = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--include-dry-run']);
    expect(result.code, result.stderr).toBe(0);
    const negative = readKto(run.output)[1]!;
    expect(negative.label).toBe(false);
    expect(negative.prompt).toEqual(plain([0, 1, 2, 3]));
    expect(negative.completion).toEqual(plain([4]));

    // Without the system prompt the indices move, the turn does not.
    const moved = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--include-dry-run', '--no-system-prompt']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(readKto(run.output)[1]).toEqual({ prompt: plain([1, 2, 3]), completion: plain([4]), label: false });
  });

  it('options that do not apply to kto, and --invalid for another format, are refused', async () => {
    const run = writeRun(1, 1);
    const split = await runExport(['--format', 'kto', '--input', run.input, '--output', run.output, '--test-split', '0.1']);
    expect(split).toMatchObject({ code: 2, stderr: expect.stringContaining('--test-split does not apply to --format kto') });
    const invalid = await runExport(['--format', 'openai', '--input', run.input, '--output', run.output, '--invalid', run.input]);
    expect(invalid).toMatchObject({ code: 2, stderr: expect.stringContaining('--invalid applies only to --format kto') });
  });
});
