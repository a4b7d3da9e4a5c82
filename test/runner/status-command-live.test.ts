import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { readStatusFile, type RunStatus } from '../../src/stats/index.js';
import { daemonTracker, prepareDaemonData, type DaemonProcess } from '../helpers/daemon.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const EXIT_NOT_RUNNING = 3;

describe('npm run status against a real daemon', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  const daemons = daemonTracker();
  /** The daemon of the current test, for its output in failure messages. */
  let running: DaemonProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 8 });
    workspace = makeTempDir();
  });
  // A daemon that outlived a failed assertion must not outlive the emulator it talks to.
  afterEach(() => daemons.killLeftovers());
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  function status(dataDir: string, ...args: string[]): Promise<CliResult> {
    return runCli(['status', '--data-dir', dataDir, ...args], { cwd: workspace.path });
  }

  /** Polls the status file until `predicate` holds for it. */
  async function waitForStatus(dataDir: string, predicate: (status: RunStatus) => boolean, timeoutMs = 20_000): Promise<RunStatus> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const current = await readStatusFile(path.join(dataDir, 'status.json')).catch(() => undefined);
      if (current !== undefined && predicate(current)) return current;
      if (running?.child.exitCode !== null && running?.child.exitCode !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the status file never matched; daemon output:\n${running?.output().slice(-3000)}`);
  }

  it('on a running daemon says running with its pid and progress; while it drains after SIGTERM, draining; then stopped, and why', async () => {
    const dataDir = path.join(workspace.path, 'running');
    // Slow answers: a conversation takes seconds, so the run is mid-way whenever we look.
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 20, emulator: { latency: { medianMs: 800, sigma: 0.2 } } } });
    running = daemons.spawn(
      ['--target', '1000', '--data-dir', dataDir, '--progress-interval', '1', '--concurrency', '3', '--grace-seconds', '4'],
      { cwd: workspace.path, env },
    );
    const pid = running.child.pid!;
    await waitForStatus(dataDir, (current) => current.providers.mistral !== undefined && current.providers.mistral.requests > 0);

    const live = await status(dataDir);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toMatch(new RegExp(`^🟢 running — pid ${pid}, started .+? ago, last update .+? ago`));
    expect(live.stdout).toMatch(/📊 Progress: \d+\/1000 \(\d+\.\d%\)/);
    expect(live.stdout).toMatch(/📈 mistral \d+ conv · \d+ 429s/);
    // The rate in force, from the running dispatcher: configured here, no 429 has moved it.
    expect(live.stdout).toMatch(/mistral .* · 20\/s/);
    expect(live.stdout).toContain(`output: ${path.join(dataDir, 'trainingData', 'conversations.jsonl')}`);
    expect(live.stdout).toContain(`tail -F ${path.join(dataDir, 'logs', 'latest.log')}`);
    const json = await status(dataDir, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ condition: 'running', state: 'running', pid, target: 1000 });

    running.child.kill('SIGTERM');
    await waitForStatus(dataDir, (current) => current.state === 'draining');
    const draining = await status(dataDir);
    expect(draining.code, draining.stderr).toBe(0);
    expect(draining.stdout).toMatch(new RegExp(`^🟡 draining — pid ${pid} is finishing the conversations in flight and starting no new ones \\(SIGTERM\\)`));

    expect((await running.exited).code, running.output().slice(-3000)).toBe(0);
    const stopped = await status(dataDir);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^⏹️ stopped .+? ago: SIGTERM — run the same command to continue to the target/);
    expect(stopped.stdout).toMatch(/🏁 Run summary: \d+\/1000 conversations/);
    expect(stopped.stdout).toContain('stopped: SIGTERM');
    // A stop shows the end of the log's warnings: here, the signal that caused it.
    expect(stopped.stdout).toContain('last warnings and errors in the log:');
    expect(stopped.stdout).toContain('SIGTERM received: draining');
  });

  it('on a finished run says finished and prints the summary', async () => {
    const dataDir = path.join(workspace.path, 'finished');
    const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 40 } });
    running = daemons.spawn(['--target', '2', '--data-dir', dataDir], { cwd: workspace.path, env });
    expect((await running.exited).code, running.output().slice(-3000)).toBe(0);
    const result = await status(dataDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✅ finished .+? ago/);
    expect(result.stdout).toContain('🏁 Run summary: 2/2 conversations (100.0%), 2 saved by this run');
    expect(result.stdout).toContain('stopped: target reached');
    expect(result.stdout).toMatch(/together: 2 conv · \d+ requests/);
    expect(result.stdout).toContain(`output: ${path.join(dataDir, 'trainingData', 'conversations.jsonl')}`);
    expect(result.stdout).not.toContain('last warnings and errors');
  });

  describe('a stale status file', () => {
    let dataDir: string;
    let finished: RunStatus;

    beforeAll(async () => {
      dataDir = path.join(workspace.path, 'stale');
      const env = prepareDaemonData(dataDir, emulator, { together: { requestsPerSecond: 40 } });
      const daemon = daemons.spawn(['--target', '1', '--data-dir', dataDir, '--progress-interval', '2'], { cwd: workspace.path, env });
      expect((await daemon.exited).code, daemon.output().slice(-3000)).toBe(0);
      finished = JSON.parse(readFileSync(path.join(dataDir, 'status.json'), 'utf8')) as RunStatus;
    }, 30_000);

    /** The file as the daemon would have left it had it been stuck or killed mid-run. */
    function rewrite(overrides: Partial<RunStatus>): void {
      const { stopReason: _ignored, ...status } = finished;
      writeFileSync(path.join(dataDir, 'status.json'), JSON.stringify({ ...status, state: 'running', ...overrides }));
    }

    it('whose writer is alive but silent for over three intervals: stalled, exit 3', async () => {
      // This test process is certainly alive; the last update is ten minutes old with a 2 s interval.
      rewrite({ pid: process.pid, updatedAt: new Date(Date.now() - 600_000).toISOString() });
      const result = await status(dataDir);
      expect(result.code).toBe(EXIT_NOT_RUNNING);
      expect(result.stdout).toMatch(new RegExp(`^⚠️ stalled — pid ${process.pid} is alive but its last update was 10 min ago \\(it updates every 2 s\\)`));
      expect(result.stdout).toContain('📊 Progress: 1/1');
      const json = await status(dataDir, '--json');
      expect(json.code).toBe(EXIT_NOT_RUNNING);
      expect(JSON.parse(json.stdout)).toMatchObject({ condition: 'stalled' });
    });

    it('whose writer is dead: not running, resume with the same command, exit 3', async () => {
      // The daemon that wrote it has exited, so its pid is a dead one; the update itself is recent.
      rewrite({ pid: finished.pid, updatedAt: new Date().toISOString() });
      const result = await status(dataDir);
      expect(result.code).toBe(EXIT_NOT_RUNNING);
      expect(result.stdout).toMatch(/^🔴 the daemon is not running \(last update .+? ago\); it stopped without finishing — run the same command to resume/);
      expect(result.stdout).toContain('last known progress:');
      expect(result.stdout).toContain(`log: ${finished.logFile}`);
    });
  });
});
