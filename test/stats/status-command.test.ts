import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStatusCommand } from '../../src/cli/status-command.js';
import { statusFilePath, writeStatusFile } from '../../src/stats/status-file.js';
import type { RunStatus } from '../../src/stats/status-schema.js';
import { runStatus } from './fixtures.js';
import { captureStream } from '../helpers/capture-stream.js';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMMAND = path.join(REPOSITORY, 'src/cli/status-command.ts');

let directory: string;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
});
afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

async function runInProcess(argv: string[], io: { now?: () => number; isProcessAlive?: (pid: number) => boolean } = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runStatusCommand(argv, { stdout, stderr, cwd: directory, ...io });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function runChild(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', COMMAND, ...argv], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A pid that certainly belonged to a process and certainly is gone: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

async function writeStatus(overrides: Partial<RunStatus>): Promise<void> {
  await writeStatusFile(statusFilePath(directory), runStatus(overrides));
}

describe('npm run status, as a real child process', () => {
  it('reports a run whose pid is alive (this test runner) as running', async () => {
    await writeStatus({ pid: process.pid, updatedAt: new Date().toISOString() });
    const result = await runChild(['--data-dir', directory]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`🟢 running — pid ${process.pid}`);
    expect(result.stdout).toContain('📊 Progress: 1500/5000 (30.0%)');
    expect(result.stdout).toContain('together 650 conv · 3 429s');
  });

  it('shows the rate each provider is paced at and where it comes from', async () => {
    const base = runStatus();
    await writeStatus({
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      providers: {
        ...base.providers,
        mistral: { ...base.providers.mistral!, pace: { configuredPerSecond: 1, currentPerSecond: 0.996, source: 'learned', marginMs: 4.2 } },
        together: { ...base.providers.together!, pace: { configuredPerSecond: 1, currentPerSecond: 2, source: 'headers', marginMs: 0 } },
      },
    });
    const result = await runInProcess(['--data-dir', directory]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0.996/s learned (configured 1/s, +4.2 ms margin)');
    expect(result.stdout).toContain('2/s from headers (configured 1/s)');
  });

  it('reports a run whose pid is gone as stopped without finishing, with exit code 3', async () => {
    await writeStatus({ pid: await deadPid(), updatedAt: new Date(Date.now() - 5 * 60_000).toISOString() });
    const result = await runChild(['--data-dir', directory]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(
      'the daemon is not running (last update 5 min ago); it stopped without finishing — run the same command to resume',
    );
  });

  it('says no run was started when the data directory has no status file, with exit code 1', async () => {
    const result = await runChild(['--data-dir', path.join(directory, 'empty')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`No run has been started in ${path.join(directory, 'empty')}`);
  });
});

describe('runStatusCommand', () => {
  it('reads <data-dir>/status.json relative to the working directory, `data` by default', async () => {
    fs.mkdirSync(path.join(directory, 'data'));
    await writeStatusFile(statusFilePath(path.join(directory, 'data')), runStatus({ state: 'finished', stopReason: 'target reached' }));
    const result = await runInProcess([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✅ finished');
    expect(result.stdout).toContain('🏁 Run summary');
  });

  it('a run that labels its examples shows how many came out valid and invalid, and the validity rate', async () => {
    await writeStatus({ pid: process.pid, updatedAt: new Date().toISOString(), savedThisRun: 30, invalid: 7, validityRate: 0.811 });
    const result = await runInProcess(['-d', '.']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('🏷️ labelled this run: 30 valid, 7 invalid (81.1% valid); the invalid ones are kept beside the output, not counted');
  });

  it('a run without invalid examples shows no label line', async () => {
    await writeStatus({ pid: process.pid, updatedAt: new Date().toISOString() });
    const result = await runInProcess(['-d', '.']);
    expect(result.stdout).not.toContain('labelled');
  });

  it('exits 3 for a stalled daemon', async () => {
    await writeStatus({ updatedAt: '2026-11-22T03:00:00.000Z', progressIntervalMs: 10_000 });
    const result = await runInProcess(['-d', '.'], {
      now: () => Date.parse('2026-11-22T03:10:00.000Z'),
      isProcessAlive: () => true,
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('⚠️ stalled');
  });

  it('for a dead daemon, shows the last warnings and errors of its log: usually the reason it stopped', async () => {
    const logFile = path.join(directory, 'logs', 'run-x.log');
    fs.mkdirSync(path.dirname(logFile));
    const entries = [
      { level: 30, time: '2026-11-22T02:59:00.000Z', msg: 'progress saved' },
      { level: 40, time: '2026-11-22T02:59:10.000Z', msg: 'provider cooling down', provider: 'together' },
      { level: 60, time: '2026-11-22T02:59:59.000Z', msg: 'out of memory while saving' },
    ];
    fs.writeFileSync(logFile, `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n{"level":50,"ti`);
    await writeStatus({ logFile });
    const result = await runInProcess(['--data-dir', '.'], { isProcessAlive: () => false });
    expect(result.code).toBe(3);
    const tail = result.stdout.slice(result.stdout.indexOf('last warnings and errors in the log:'));
    expect(tail).toMatch(/WARN {2}provider cooling down provider=together\n.*FATAL out of memory while saving\n$/);
    expect(tail).not.toContain('progress saved');
  });

  it('--json prints the status with the computed condition', async () => {
    await writeStatus({ state: 'running' });
    const result = await runInProcess(['--data-dir', '.', '--json'], { isProcessAlive: () => false });
    expect(JSON.parse(result.stdout)).toMatchObject({ condition: 'dead', state: 'running', saved: 1500 });
  });

  it('a corrupt status file is a clear message and exit code 2, not a crash', async () => {
    fs.writeFileSync(statusFilePath(directory), '{"saved":');
    const result = await runInProcess(['--data-dir', '.']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
  });

  it('--help prints usage and exits 0; an unknown option prints usage and exits 2', async () => {
    const help = await runInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run status');
    const unknown = await runInProcess(['--verbose']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--verbose'");
    expect(unknown.stderr).toContain('Usage: npm run status');
  });
});
