import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_USAGE, runExportCommand } from '../../src/cli/export-command.js';
import { FIXTURES, PROJECT_ROOT, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'conversations.jsonl');
const execFileAsync = promisify(execFile);

/** Runs the command in this process and captures what it prints. */
async function runInProcess(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runExportCommand(argv, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

/** Runs the command in a real child process, as `npm run export --` does. */
async function runChild(argv: string[]) {
  const script = path.join(FIXTURES, 'run-export-command.ts');
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', script, ...argv], { cwd: PROJECT_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the export command', () => {
  it('--help documents every flag and exits 0', async () => {
    const { code, stdout } = await runInProcess(['--help']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${EXPORT_USAGE}\n`);
    for (const flag of ['--format', '--input', '--output', '--minimal', '--strip-thinking', '--where', '--with-tools', '--arguments-as-objects', '--split-parallel-calls', '--system-prompt', '--no-system-prompt', '--test-split', '--help']) {
      expect(stdout).toContain(flag);
    }
    // Each format names the consumer it is for and how that consumer loads it.
    for (const consumer of ['OpenAI fine-tuning', 'TRL SFTTrainer', 'Axolotl', 'apply_chat_template', 'load_dataset', 'LLaMA-Factory', 'dataset_info.json', 'json.load']) {
      expect(stdout).toContain(consumer);
    }
    // hf names its consumer with the one line that loads the directory.
    expect(stdout).toMatch(/^  hf +A directory for Hugging Face datasets/m);
    expect(stdout).toContain('datasets.load_dataset("OUT")\n');
  });

  it('a run prints the one-line summary and reports bad lines on stderr', async () => {
    const directory = makeTemporaryDirectory();
    const inputPath = path.join(directory, 'in.jsonl');
    fs.writeFileSync(inputPath, `${fs.readFileSync(FIXTURE, 'utf8')}garbage\n`);
    const outputPath = path.join(directory, 'out.jsonl');
    const result = await runInProcess([
      '--format', 'sharegpt', '--input', inputPath, '--output', outputPath,
      '--where', 'metadata.simulatedUser.name=Ana', '--strip-thinking',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`Exported 2 conversations (1 skipped) to ${outputPath}\n`)).toBe(true);
    expect(result.stderr).toContain('Skipped 1 bad input line(s):\n  line 5: not JSON');
    const [first] = readLines(outputPath).map((line) => JSON.parse(line));
    expect(first.conversations[2]).toEqual({ from: 'function_call', value: '{"name":"add_memory","arguments":{"input_text":["Ana loves jazz concerts"]}}' });
    expect(first.conversations[3].from).toBe('observation');
  });

  it.each([
    [['--input', FIXTURE, '--output', 'x'], 'Missing --format'],
    [['--format', 'csv', '--input', FIXTURE, '--output', 'x'], 'Unknown --format `csv`; expected one of json, sharegpt, openai, jsonl, hf, kto.'],
    [['--format', 'json', '--output', 'x'], 'Missing --input'],
    [['--format', 'json', '--input', FIXTURE], 'Missing --output'],
    [['--format', 'json', '--input', FIXTURE, '--output', 'x', '--where', 'no-equals-sign'], 'Expected --where as <path>=<value>'],
    [['--format', 'json', '--input', FIXTURE, '--output', 'x', '--colour'], "Unknown option '--colour'"],
    [['--format', 'hf', '--input', FIXTURE], 'Missing --output: the directory to write.'],
    [['--format', 'hf', '--input', FIXTURE, '--output', 'x', '--test-split', '5'], 'Expected --test-split to be a fraction strictly between 0 and 1 (e.g. 0.05 holds out 5 %), got `5`.'],
    [['--format', 'hf', '--input', FIXTURE, '--output', 'x', '--test-split', '0'], 'strictly between 0 and 1'],
    [['--format', 'hf', '--input', FIXTURE, '--output', 'x', '--test-split', 'five percent'], 'got `five percent`.'],
    [['--format', 'hf', '--input', FIXTURE, '--output', 'x', '--test-split', ''], 'got ``.'],
  ])('bad arguments %j exit 2 with a clear message', async (argv, message) => {
    const { code, stderr, stdout } = await runInProcess(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Run with --help');
    expect(stdout).toBe('');
  });

  it('as a child process: success exits 0 with the summary, an unreadable input exits 2 naming the file', async () => {
    const directory = makeTemporaryDirectory();
    const outputPath = path.join(directory, 'out.json');
    const success = await runChild(['-f', 'json', '-i', FIXTURE, '-o', outputPath, '--with-tools']);
    expect(success).toMatchObject({ code: 0, stderr: '' });
    expect(success.stdout).toBe(`Exported 2 conversations (0 skipped) to ${outputPath}\n`);
    expect(JSON.parse(fs.readFileSync(outputPath, 'utf8'))).toHaveLength(2);

    const missing = path.join(directory, 'no-such-file.jsonl');
    const failure = await runChild(['--format', 'openai', '--input', missing, '--output', path.join(directory, 'x.jsonl')]);
    expect(failure.code).toBe(2);
    expect(failure.stdout).toBe('');
    expect(failure.stderr).toBe(`export: Cannot read the input ${missing} (ENOENT: no such file or directory, open '${missing}').\n`);

    const usage = await runChild(['--format', 'yaml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Unknown --format `yaml`');
  });

  it('a 30,000-conversation input (~100 MB) exports while resident memory grows by less than the size of the input', async () => {
    const directory = makeTemporaryDirectory();
    const inputPath = path.join(directory, 'large.jsonl');
    const templates = readLines(FIXTURE).map((line) => JSON.parse(line));
    const padding = ' lorem ipsum dolor sit amet'.repeat(80);
    const descriptor = fs.openSync(inputPath, 'w');
    for (let index = 0; index < 30_000; index++) {
      const conversation = structuredClone(templates[index % templates.length]);
      conversation.id = `large-${index}`;
      conversation.conversations[1].content += padding;
      fs.writeSync(descriptor, `${JSON.stringify(conversation)}\n`);
    }
    fs.closeSync(descriptor);
    const inputBytes = fs.statSync(inputPath).size;
    expect(inputBytes).toBeGreaterThan(90_000_000);

    const probe = path.join(FIXTURES, 'export-with-memory-probe.ts');
    const outputPath = path.join(directory, 'out.jsonl');
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', probe, inputPath, outputPath, 'openai'], { cwd: PROJECT_ROOT });
    const report = JSON.parse(stdout) as { baselineRss: number; peakRss: number; exported: number };
    expect(report.exported).toBe(30_000);
    // Holding the file would cost more than its size (a buffer plus its string plus parsed objects);
    // streaming measured ~55 MB here, mostly the garbage collector letting the heap grow.
    expect(report.peakRss - report.baselineRss).toBeLessThan(inputBytes);
    expect(fs.statSync(outputPath).size).toBeGreaterThan(inputBytes / 2);
  });
});
