import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { prepareDaemonData, readLogRecords } from '../helpers/daemon.js';
import { runCli } from '../helpers/run-cli.js';
import { daemonSuite } from '../helpers/daemon-suite.js';
import { isRecord } from './daemon-checks.js';

type Progress = { providers: Record<string, { requests: number }> };
const requestsIn = (record: Record<string, unknown>) => Object.values((record as unknown as Progress).providers).reduce((sum, provider) => sum + provider.requests, 0);

/** What a person reads when the daemon's output is not a terminal (`nohup`, `| tee`), and how soon. */
describe('the terminal output of a real daemon', () => {
  const suite = daemonSuite({ seed: 5, defaults: { latency: { medianMs: 100, sigma: 0.3 } } });

  it('is readable lines without colour codes on a pipe, and the first progress record comes soon after the first request, not a whole --progress-interval later', async () => {
    const dataDir = path.join(suite.workspace, 'pretty');
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: { requestsPerSecond: 40 } });
    const args = ['--target', '500', '--data-dir', dataDir, '--concurrency', '4', '--users', '8', '--progress-interval', '600'];
    const daemon = suite.spawn(args, { cwd: suite.workspace, env, defaultLogFormat: true });
    // Progress at start counts no request; with a 600 s interval only the early record can count some.
    const deadline = Date.now() + 30_000;
    let early: Record<string, unknown> | undefined;
    while (early === undefined) {
      if (Date.now() > deadline || daemon.child.exitCode !== null) throw new Error(`no progress record with requests while running:\n${daemon.output().slice(-3000)}`);
      early = readLogRecords(dataDir).find((record) => isRecord.progress(record) && requestsIn(record) > 0);
      await delay(50);
    }
    expect(daemon.child.exitCode).toBeNull();
    const progress = readLogRecords(dataDir).filter(isRecord.progress);
    expect(progress).toHaveLength(2);
    expect(requestsIn(progress[0]!)).toBe(0);
    await daemon.waitForOutput((output) => output.split('\n').filter((line) => line.includes('📊 Progress:')).length >= 2);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code, daemon.output().slice(-3000)).toBe(0);

    const lines = daemon.output().trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(daemon.output()).not.toContain('\u001b[');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}starting: target 500 via mistral/);
    expect(lines.some((line) => /^\d\d:\d\d:\d\d WARN {2}SIGTERM received: draining/.test(line))).toBe(true);
    expect(lines.some((line) => /^\d\d:\d\d:\d\d 🏁 Run summary: /.test(line))).toBe(true);
    // The log file keeps every record as NDJSON for machines whatever the terminal shows.
    const file = readFileSync(path.join(dataDir, 'logs', 'latest.log'), 'utf8').trimEnd().split('\n');
    for (const line of file) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('--log-format json prints the same NDJSON lines as the log file', async () => {
    const dataDir = path.join(suite.workspace, 'json');
    const env = prepareDaemonData(dataDir, suite.emulator, { mistral: { requestsPerSecond: 40 } });
    const daemon = suite.spawn(['--target', '2', '--data-dir', dataDir, '--log-format', 'json'], { cwd: suite.workspace, env });
    expect((await daemon.exited).code, daemon.output().slice(-3000)).toBe(0);
    expect(daemon.output()).toBe(readFileSync(path.join(dataDir, 'logs', 'latest.log'), 'utf8'));
  });

  it('an unknown --log-format is refused before anything is written, naming the formats', async () => {
    const result = await runCli(['generate', '--target', '2', '--data-dir', path.join(suite.workspace, 'bad'), '--log-format', 'xml'], { cwd: suite.workspace });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--log-format expects pretty or json, got "xml"');
    expect(existsSync(path.join(suite.workspace, 'bad'))).toBe(false);
  });
});
