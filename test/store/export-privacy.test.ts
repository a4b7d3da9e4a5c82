import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runExportCommand } from '../../src/cli/export-command.js';
import { countPrivateData, emptyPrivateDataCounts, redactPrivateData } from '../../src/store/private-data.js';
import { captureStream } from '../helpers/capture-stream.js';
import { makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const SECRET_KEY = 'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4';

function line(id: string, name: string | undefined, userText: string, replyText: string): string {
  return JSON.stringify({
    id,
    conversations: [
      { role: 'system', content: 'You are Ada.' },
      { role: 'user', content: userText },
      { role: 'assistant', content: `<think>\nThe user is ${name ?? 'someone'}.\n</think>\n\n${replyText}` },
    ],
    label: true,
    report: { issues: [] },
    metadata: { pipeline: 'ada', dryRun: false, ...(name === undefined ? {} : { simulatedUser: { id: `user-${id}`, name } }) },
  });
}

async function exportWith(flags: string[], lines: string[]) {
  const directory = makeTemporaryDirectory();
  const input = path.join(directory, 'in.jsonl');
  const output = path.join(directory, 'out.jsonl');
  fs.writeFileSync(input, `${lines.join('\n')}\n`);
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runExportCommand(['--format', 'jsonl', '--input', input, '--output', output, ...flags], { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text(), output, rows: readLines(output).map((text) => JSON.parse(text)) as { id: string; conversations: { content: string }[]; metadata: Record<string, unknown> }[] };
}

describe('finding private data in generated text', () => {
  it('replaces each kind with its placeholder and counts it', () => {
    const counts = emptyPrivateDataCounts();
    const text =
      `Mail me at ana.lima@example.org or call +33 6 12 34 56 78 or 555-123-4567; the server is 192.168.1.20, ` +
      `my card 4111 1111 1111 1111 and my key ${SECRET_KEY}.`;
    expect(redactPrivateData(text, counts)).toBe(
      'Mail me at <EMAIL> or call <PHONE> or <PHONE>; the server is <IP>, my card <CARD> and my key <KEY>.',
    );
    expect(counts).toEqual({ email: 1, phone: 2, ip: 1, card: 1, key: 1 });
  });

  it('leaves dates, times, amounts, versions, ids and long words alone', () => {
    const counts = emptyPrivateDataCounts();
    const text =
      'On 2025-03-01 at 14:30 I paid 1,250.00 for version 1.4.0 of conversation 3bd6b0a3-0b6b-475d-865b-ff6736b2e26c; ' +
      'a number that fails Luhn: 1234 5678 9012 3456; pneumonoultramicroscopicsilicovolcanoconiosis; ' +
      'a millisecond timestamp that passes Luhn but starts as no card does: 1796172377733.';
    expect(redactPrivateData(text, counts)).toBe(text);
    countPrivateData(text, counts);
    expect(counts).toEqual(emptyPrivateDataCounts());
  });
});

describe('export --redact and --anonymize-users', () => {
  const lines = [
    line('c1', 'Ava D.', 'Hi Ada, I am Ava D., write to ava@mail.example.com please.', 'Sure Ava! Noted, Ava.'),
    line('c2', 'Bruno', 'My IP is 10.0.0.7 and my key is ' + SECRET_KEY, 'Bruno, never share a key.'),
    line('c3', undefined, 'No name here.', 'Fine.'),
  ];

  it('--redact writes placeholders in every message and the metadata, and prints the counts', async () => {
    const result = await exportWith(['--redact'], lines);
    expect(result.code, result.stderr).toBe(0);
    const text = fs.readFileSync(result.output, 'utf8');
    expect(text).not.toContain('ava@mail.example.com');
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain('10.0.0.7');
    expect(result.rows[0]?.conversations[1]?.content).toBe('Hi Ada, I am Ava D., write to <EMAIL> please.');
    expect(result.rows[1]?.conversations[1]?.content).toBe('My IP is <IP> and my key is <KEY>');
    expect(result.rows.map((row) => row.id)).toEqual(['c1', 'c2', 'c3']);
    expect(result.stdout).toContain('Redacted 3: 1 e-mail, 0 phone, 1 IP, 0 card, 1 key-like');
  });

  it('--anonymize-users renames each user consistently within its conversation and nowhere else', async () => {
    const result = await exportWith(['--anonymize-users'], lines);
    expect(result.code, result.stderr).toBe(0);
    const [first, second, third] = result.rows;
    const pseudonym = (first?.metadata['simulatedUser'] as { name: string }).name;
    expect(pseudonym).not.toMatch(/Ava/);
    expect(first?.conversations[1]?.content).toBe(`Hi Ada, I am ${pseudonym}, write to ava@mail.example.com please.`);
    expect(first?.conversations[2]?.content).toBe(`<think>\nThe user is ${pseudonym}.\n</think>\n\nSure ${pseudonym}! Noted, ${pseudonym}.`);
    const other = (second?.metadata['simulatedUser'] as { name: string }).name;
    expect(second?.conversations[2]?.content).toBe(`<think>\nThe user is ${other}.\n</think>\n\n${other}, never share a key.`);
    expect(JSON.stringify(result.rows)).not.toMatch(/\bAva\b|Bruno/);
    // "Ada" is not the user's name: it stays.
    expect(first?.conversations[1]?.content).toContain('Hi Ada');
    expect(third?.conversations[1]?.content).toBe('No name here.');
    // Ava D. (metadata, user message, think, reply twice) and Bruno (metadata, think, reply).
    expect(result.stdout).toContain('Anonymized 2 simulated user(s): 8 name occurrence(s) replaced');
  });

  it('gives the same pseudonyms when exporting again', async () => {
    const once = await exportWith(['--anonymize-users'], lines);
    const again = await exportWith(['--anonymize-users'], lines);
    expect(again.rows).toEqual(once.rows);
  });
});
