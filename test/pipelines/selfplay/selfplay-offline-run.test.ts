import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { runExportCommand } from '../../../src/cli/export-command.js';
import { SESSION_ID_PATTERN, WORKSPACE_ID_PATTERN } from '../../../src/pipelines/selfplay/selfplay-ids.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

interface SelfplayLine {
  id: string;
  conversations: { role: string; content: string }[];
  label: boolean;
  behavior?: string;
  report: { issues: { level: string; code: string; message: string }[] };
  metadata: Record<string, unknown> & { execution?: { ok: boolean; content: string } };
}

/**
 * What the emulator's scripted assistant writes when it makes a call wrong on purpose
 * (src/emulator/selfplay-script.ts), and the code the judge must give each.
 */
const INJECTED: readonly { readonly pattern: RegExp; readonly code: string }[] = [
  { pattern: /_find_note\b/, code: 'unknown-tool' },
  { pattern: /\b42\b/, code: 'bad-arguments' },
  { pattern: /no-such-folder\/that-was-never-there/, code: 'tool-failed' },
];

const readLines = (file: string): SelfplayLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SelfplayLine);

describe('an offline self-play run on the real filesystem MCP server', () => {
  const workspace = makeTempDir('nightshift-selfplay-');
  const temp = path.join(workspace.path, 'tmp');
  const dataDir = path.join(workspace.path, 'data');
  let result: CliResult;
  let valid: SelfplayLine[];
  let invalid: SelfplayLine[];

  beforeAll(async () => {
    mkdirSync(temp);
    result = await runCli(['generate', '--offline', '--pipeline', 'selfplay', '--target', '30', '--seed', '11', '--data-dir', dataDir, '--log-format', 'json'], {
      cwd: workspace.path,
      // The sandboxes are made under TMPDIR: the test's own, to see that none is left behind.
      env: { TMPDIR: temp },
      timeoutMs: 240_000,
    });
    valid = readLines(path.join(dataDir, 'trainingData', 'selfplay_output.jsonl'));
    invalid = readLines(path.join(dataDir, 'trainingData', 'selfplay_output_invalid.jsonl'));
  }, 250_000);
  afterAll(() => workspace.cleanup());

  it('reaches 30 valid examples and keeps the invalid ones beside them, uncounted', () => {
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(valid).toHaveLength(30);
    expect(valid.every((line) => line.label === true)).toBe(true);
    expect(invalid.length).toBeGreaterThan(0);
    expect(invalid.every((line) => line.label === false && line.report.issues.some((issue) => issue.level === 'error'))).toBe(true);
    expect(new Set([...valid, ...invalid].map((line) => line.id)).size).toBe(valid.length + invalid.length);
  });

  it('labels agree with the errors the emulator injected: every injected call is invalid, every other is valid', () => {
    for (const line of [...valid, ...invalid]) {
      const reply = line.conversations.at(-1)?.content ?? '';
      const injected = INJECTED.find((kind) => kind.pattern.test(reply));
      expect({ id: line.id, reply, label: line.label }).toEqual({ id: line.id, reply, label: injected === undefined });
      // Which kinds a run draws is chance; each one drawn must carry its own code.
      if (injected !== undefined) expect(line.report.issues.map((issue) => issue.code), reply).toContain(injected.code);
    }
  });

  it('valid calls ran in a sandbox that held the described workspace', () => {
    // A tool-based example is valid only with a call that ran and succeeded in its sandbox.
    const toolBased = valid.filter((line) => line.metadata.type === 'tool-based');
    expect(toolBased.length).toBeGreaterThan(0);
    expect(toolBased.every((line) => line.metadata.execution?.ok === true)).toBe(true);
    const executed = valid.filter((line) => line.metadata.execution !== undefined);
    expect(executed.every((line) => line.metadata.execution?.ok === true)).toBe(true);
    // A listing or a search in the sandbox shows the workspace's own entries (an empty sandbox
    // lists nothing). Which folders the run's examples list is chance: a folder of folders shows
    // no file, so any entry counts, not only a note (CI once drew no listing with a .md in it).
    expect(executed.some((line) => /\.md\b|\[(?:FILE|DIR)\]/.test(line.metadata.execution?.content ?? ''))).toBe(true);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('lines have the original shape: program-made ids, variation, type, tools, behavior only on behavioral ones', () => {
    for (const line of [...valid, ...invalid]) {
      const { metadata } = line;
      expect(metadata.session_id).toMatch(SESSION_ID_PATTERN);
      expect(metadata.workspace_id).toMatch(WORKSPACE_ID_PATTERN);
      expect(['simple', 'complex', 'project', 'knowledge-base']).toContain(metadata.environment_variation);
      expect((metadata.tools as unknown[]).length).toBeGreaterThan(3);
      if (metadata.type === 'behavioral') {
        expect(line.behavior).toBe(metadata.behavior);
        expect(line.conversations.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
        expect(line.conversations[0]?.content).toContain(`<workspace_id>${metadata.workspace_id}</workspace_id>`);
      } else {
        expect(metadata.type).toBe('tool-based');
        expect(line.behavior).toBeUndefined();
        expect(line.conversations.map((message) => message.role)).toEqual(['user', 'assistant']);
      }
    }
  });

  it('export --format kto pairs the output with its invalid file: true/false interleaved, the surplus of valid examples dropped and counted', async () => {
    const output = path.join(workspace.path, 'selfplay-kto.jsonl');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let printed = '';
    stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const input = path.join(dataDir, 'trainingData', 'selfplay_output.jsonl');
    const code = await runExportCommand(['--format', 'kto', '--input', input, '--output', output, '--include-dry-run'], { stdout, stderr });
    expect(code, printed).toBe(0);
    const records = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { prompt: { role: string; content: string }[]; completion: { role: string; content: string }[]; label: boolean });
    const pairs = Math.min(valid.length, invalid.length);
    expect(records.map((record) => record.label)).toEqual(Array.from({ length: pairs * 2 }, (_, index) => index % 2 === 0));
    expect(printed).toContain(`${valid.length - pairs} dropped to balance the labels`);
    const invalidReplies = new Set(invalid.map((line) => line.conversations.at(-1)?.content));
    for (const record of records) {
      expect(record.prompt.at(-1)?.role).toBe('user');
      expect(record.completion).toHaveLength(1);
      expect(record.completion[0]?.role).toBe('assistant');
      if (!record.label) expect(invalidReplies.has(record.completion[0]?.content)).toBe(true);
    }
  });

  it('the progress record counts valid and invalid examples and the validity rate', () => {
    const log = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = log.filter((record) => typeof record.saved === 'number').at(-1);
    expect(last).toMatchObject({ saved: 30, invalid: invalid.length });
    expect(last?.validityRate).toBeCloseTo(30 / (30 + invalid.length), 2);
    const summary = log.find((record) => typeof record.summary === 'string')?.summary as string;
    expect(summary).toContain(`labelled this run: 30 valid, ${invalid.length} invalid (`);
  });

  it('every call that ran in a sandbox is counted in the tool calls of the run, a failed one as failed', () => {
    const log = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = log.filter((record) => typeof record.saved === 'number').at(-1) as { toolCalls: Record<string, { ok: number; failed: number }> };
    const executed = [...valid, ...invalid].filter((line) => line.metadata.execution !== undefined);
    const counted = Object.values(last.toolCalls);
    expect(executed.length).toBeGreaterThan(0);
    expect(counted.reduce((sum, counts) => sum + counts.ok, 0)).toBe(executed.filter((line) => line.metadata.execution?.ok === true).length);
    expect(counted.reduce((sum, counts) => sum + counts.failed, 0)).toBe(executed.filter((line) => line.metadata.execution?.ok === false).length);
    const summary = log.find((record) => typeof record.summary === 'string')?.summary as string;
    expect(summary).not.toContain('tool calls: none');
    for (const name of Object.keys(last.toolCalls)) expect(summary).toContain(name);
  });
});
