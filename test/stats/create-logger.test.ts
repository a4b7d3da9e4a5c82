import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createRunId, logProgress, type LoggerOptions } from '../../src/stats/create-logger.js';
import { progressRecord } from './fixtures.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let directory: string;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
});
afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

/** A terminal stand-in that records what was written; `isTTY` decides whether colours are used. */
function captureTerminal(isTTY = false): PassThrough & { isTTY: boolean; text(): string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.isTTY = isTTY;
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

function open(options: Partial<LoggerOptions> = {}) {
  return createLogger({ logDirectory: path.join(directory, 'logs'), runId: '2026-11-22T01-02-03Z', terminal: null, ...options });
}

function fileLines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the run log file', () => {
  it('gets one parseable NDJSON line per call, named after the run', async () => {
    const run = open();
    run.logger.info({ provider: 'mistral' }, 'first');
    run.logger.warn('second');
    await run.close();
    expect(path.basename(run.logFile)).toBe('run-2026-11-22T01-02-03Z.log');
    const lines = fileLines(run.logFile);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, 'first'],
      [40, 'second'],
    ]);
    expect(lines[0]).toMatchObject({ provider: 'mistral', pid: process.pid });
    expect(Number.isNaN(Date.parse(String(lines[0]?.time)))).toBe(false);
  });

  it('latest.log is a relative symlink to the newest run file, repointed by the next run', async () => {
    const first = open({ runId: 'one' });
    first.logger.info('from the first run');
    await first.close();
    const latest = path.join(directory, 'logs', 'latest.log');
    expect(first.latestLog).toBe(latest);
    expect(fs.lstatSync(latest).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(latest)).toBe('run-one.log');
    const second = open({ runId: 'two' });
    second.logger.info('from the second run');
    await second.close();
    expect(fs.readlinkSync(latest)).toBe('run-two.log');
    expect(fs.readFileSync(latest, 'utf8')).toContain('from the second run');
    expect(fs.readdirSync(path.join(directory, 'logs')).sort()).toEqual(['latest.log', 'run-one.log', 'run-two.log']);
  });

  it('makes run ids that are ISO instants safe for file names, and sanitises the rest', () => {
    expect(createRunId(new Date('2026-11-22T01:02:03.456Z'))).toBe('2026-11-22T01-02-03Z');
    const run = open({ runId: '../../escape me' });
    expect(path.dirname(run.logFile)).toBe(path.join(directory, 'logs'));
    void run.close();
  });

  it('keeps info in the file when the terminal is quiet, and debug only when verbose', async () => {
    const quietTerminal = captureTerminal();
    const quiet = open({ runId: 'quiet', level: 'warn', terminal: quietTerminal });
    quiet.logger.debug('hidden debug');
    quiet.logger.info('file only');
    quiet.logger.warn('everywhere');
    await quiet.close();
    expect(fileLines(quiet.logFile).map((line) => line.msg)).toEqual(['file only', 'everywhere']);
    expect(quietTerminal.text()).not.toContain('file only');
    expect(quietTerminal.text()).toContain('everywhere');

    const verbose = open({ runId: 'verbose', level: 'debug' });
    verbose.logger.debug('visible debug');
    await verbose.close();
    expect(fileLines(verbose.logFile).map((line) => line.msg)).toEqual(['visible debug']);
  });

  it('a quiet terminal still shows progress and the run summary (what --quiet promises); an error-only one does not', async () => {
    const quietTerminal = captureTerminal();
    const quiet = open({ runId: 'quiet-progress', level: 'warn', terminal: quietTerminal, format: 'json' });
    quiet.logger.info('routine');
    logProgress(quiet.logger, progressRecord());
    quiet.logger.info({ summary: 'done' }, 'run summary');
    await quiet.close();
    const shown = quietTerminal
      .text()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(shown).toEqual(['progress', 'run summary']);

    const errorsTerminal = captureTerminal();
    const errorsOnly = open({ runId: 'errors-only', level: 'error', terminal: errorsTerminal });
    logProgress(errorsOnly.logger, progressRecord());
    await errorsOnly.close();
    expect(errorsTerminal.text()).toBe('');
  });

  it('survives logging after close: the file is closed, nothing throws', async () => {
    const run = open();
    await run.close();
    await run.close();
    expect(() => run.logger.info('after close')).not.toThrow();
    expect(fs.readFileSync(run.logFile, 'utf8')).toBe('');
  });
});

describe('the terminal', () => {
  it('gets readable lines without colour codes when it is not a TTY (nohup, | tee), progress in the compact form', async () => {
    const terminal = captureTerminal(false);
    const run = open({ terminal });
    run.logger.info({ count: 3 }, 'plain');
    run.logger.warn({ signal: 'SIGINT' }, 'draining');
    logProgress(run.logger, progressRecord());
    await run.close();
    const lines = terminal.text().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO  plain count=3$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN  draining signal=SIGINT$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d 📊 Progress: 1500\/5000 \(30\.0%\)/);
    expect(terminal.text()).not.toContain('\u001b[');
    expect(terminal.text()).not.toContain('{"level"');
  });

  it('gets NDJSON with format json: the same lines as the log file', async () => {
    const terminal = captureTerminal(false);
    const run = open({ terminal, format: 'json' });
    run.logger.info({ count: 3 }, 'plain');
    await run.close();
    expect(JSON.parse(terminal.text().trim())).toMatchObject({ msg: 'plain', count: 3 });
    expect(terminal.text()).toBe(fs.readFileSync(run.logFile, 'utf8'));
  });

  it('gets human-readable lines on a TTY, and progress in the compact form', async () => {
    const terminal = captureTerminal(true);
    const run = open({ terminal });
    run.logger.info({ provider: 'mistral', note: 'two words' }, 'request sent');
    run.logger.error({ err: new Error('boom') }, 'it failed');
    logProgress(run.logger, progressRecord());
    await run.close();
    const text = terminal.text();
    expect(text).toMatch(/^\d\d:\d\d:\d\d \u001b\[32mINFO \u001b\[0m request sent provider=mistral note="two words"\n/);
    expect(text).toMatch(/\d\d:\d\d:\d\d \u001b\[31mERROR\u001b\[0m it failed err="Error: boom"\n {4}Error: boom\n {8}at /);
    expect(text).toContain('📊 Progress: 1500/5000 (30.0%)  ⚡ 850 conv/h (recent 910)  ⏱️ ETA 4.1 h  · 12 in flight\n📈 mistral');
    // The file keeps the progress record as data.
    const progress = fileLines(run.logFile).find((line) => line.msg === 'progress');
    expect(progress).toMatchObject({ saved: 1500, target: 5000, etaSeconds: 14_760 });
  });

  it('json is NDJSON on a TTY too', async () => {
    const terminal = captureTerminal(true);
    const run = open({ terminal, format: 'json' });
    run.logger.info('as json');
    await run.close();
    expect(JSON.parse(terminal.text())).toMatchObject({ msg: 'as json' });
  });
});

describe('redaction', () => {
  const secrets = ['mistral-key-0123456789', 'together-key-abcdefghij', 'hf_ZyXwVuTsRqPoNmLkJiHg'];

  it('no secret reaches the file or the terminal, whether in messages, nested objects, URLs or errors', async () => {
    const terminal = captureTerminal(true);
    const run = open({ terminal, secrets });
    run.logger.info(`starting with key ${secrets[0]}`);
    run.logger.info({ request: { headers: { Authorization: `Bearer ${secrets[1]}` }, nested: [{ deep: secrets[0] }] } }, 'request');
    run.logger.warn({ url: `https://api.example.com/v1/chat?api_key=${secrets[1]}&stream=false` }, 'calling');
    const sdkError = new Error(`401 Unauthorized: Incorrect API key provided: ${secrets[0]}`, {
      cause: new Error(`upstream said: token ${secrets[2]} is invalid`),
    });
    run.logger.error({ err: sdkError }, 'provider rejected the key');
    run.logger.error({ error: sdkError, attempt: 2 }, 'under another key');
    run.logger.error(sdkError);
    run.logger.info({ unlisted: 'hf_AAAABBBBCCCCDDDDEEEE' }, 'unlisted hugging face token');
    await run.close();
    const bytes = fs.readFileSync(run.logFile, 'utf8');
    for (const text of [bytes, terminal.text()]) {
      for (const secret of [...secrets, 'hf_AAAABBBBCCCCDDDDEEEE']) expect(text).not.toContain(secret);
      expect(text).toContain('[REDACTED]');
    }
    // Redaction keeps every line JSON and keeps the message around the key.
    const lines = fileLines(run.logFile);
    expect(lines).toHaveLength(7);
    expect(JSON.stringify(lines[3])).toContain('401 Unauthorized: Incorrect API key provided: [REDACTED]');
    expect(JSON.stringify(lines[3])).toContain('upstream said: token [REDACTED] is invalid');
  });
});

describe('a terminal that breaks', () => {
  it('a stream failing with EPIPE silences the terminal and the file keeps every line', async () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const run = open({ terminal: broken, format: 'json' });
    for (let index = 0; index < 5; index++) {
      run.logger.info({ index }, 'line');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await run.close();
    expect(writes).toBe(1);
    expect(fileLines(run.logFile)).toHaveLength(5);
  });

  it('a real child process whose stdout reader goes away keeps running and logging to its file', async () => {
    const logDirectory = path.join(directory, 'logs');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPOSITORY, 'test/stats/fixtures/log-into-closed-pipe.ts'), logDirectory, '300'],
      { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Close our end after the first bytes: the child's next writes fail with EPIPE.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toContain('survived');
    expect(code).toBe(0);
    expect(fileLines(path.join(logDirectory, 'run-epipe.log'))).toHaveLength(300);
  });
});
