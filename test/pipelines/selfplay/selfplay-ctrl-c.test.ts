import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLogRecords } from '../../helpers/daemon.js';
import { isAlive, processGroupOf, spawnNpmGenerate, type NpmGenerate } from '../../helpers/npm-generate.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { isRecord, readOutputFile } from '../../runner/daemon-checks.js';

/** Processes whose command line mentions `marker` (the run's own temp dir, so no other test's servers count). */
function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function linesOf(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;
  } catch {
    return 0;
  }
}

/**
 * A terminal's Ctrl+C is SIGINT to the whole foreground process group. The MCP servers a self-play
 * run starts must not be part of it: a server killed by the terminal would discard the examples in
 * flight as `tool_server_unavailable` instead of letting the drain finish them.
 */
describe('Ctrl+C on a self-play run under `npm run generate`', () => {
  let workspace: { path: string; cleanup: () => void };
  const runs: NpmGenerate[] = [];
  beforeAll(() => {
    workspace = makeTempDir('nightshift-selfplay-ctrl-c-');
  });
  afterEach(() => {
    for (const run of runs.splice(0)) run.killLeftovers();
  });
  afterAll(() => {
    for (const pid of processesMentioning(workspace.path)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    workspace.cleanup();
  });

  /** Starts a long self-play run and waits until examples are done and tool servers are running. */
  async function start(name: string) {
    const dataDir = path.join(workspace.path, name, 'data');
    // The sandboxes (and so every server's arguments) live under the run's own TMPDIR.
    const temporary = path.join(workspace.path, name, 'tmp');
    mkdirSync(temporary, { recursive: true });
    const args = ['--offline', '--pipeline', 'selfplay', '--target', '400', '--data-dir', dataDir, '--concurrency', '8', '--progress-interval', '60'];
    const npm = spawnNpmGenerate(args, { dataDir, env: { TMPDIR: temporary } });
    runs.push(npm);
    const daemon = await npm.daemonPid();
    const output = path.join(dataDir, 'trainingData', 'selfplay_output.jsonl');
    const invalid = path.join(dataDir, 'trainingData', 'selfplay_output_invalid.jsonl');
    const deadline = Date.now() + 45_000;
    let servers: number[] = [];
    // Some examples done and several tool servers running: a signal finds examples in flight.
    while (linesOf(output) + linesOf(invalid) < 3 || (servers = processesMentioning(temporary)).length < 2) {
      if (Date.now() > deadline || !isAlive(daemon)) throw new Error(`no examples with live servers:\n${npm.output().slice(-3000)}`);
      await delay(20);
    }
    return { npm, daemon, dataDir, temporary, output, invalid, servers };
  }

  /** Waits a little for processes to exit: a server ends at the end of its input, not at once. */
  async function expectNoServerLeft(temporary: string): Promise<void> {
    const until = Date.now() + 5_000;
    while (processesMentioning(temporary).length > 0 && Date.now() < until) await delay(50);
    expect(processesMentioning(temporary)).toEqual([]);
  }

  it('drains: the examples in flight finish on their tool servers and are saved, and no server process is left', async () => {
    const { npm, dataDir, temporary, output, invalid, servers } = await start('ctrl-c');
    // The test means something only if the servers run apart from the terminal's group.
    for (const pid of servers) expect(processGroupOf(pid)).not.toBe(npm.child.pid);

    npm.signalGroup('SIGINT');
    const exit = await npm.exited;
    expect(exit, npm.output().slice(-3000)).toEqual({ code: 0, signal: null });

    const records = readLogRecords(dataDir);
    const drainAt = records.findIndex(isRecord.drain);
    expect(records[drainAt]).toMatchObject({ signal: 'SIGINT' });
    expect(records.some(isRecord.stopNow)).toBe(false);
    expect(records.filter(isRecord.discard)).toEqual([]);
    // What was in flight when the drain began ended as a valid or an invalid example, none lost.
    const atDrain = records.slice(drainAt).find(isRecord.progress) as { savedThisRun: number; invalid?: number; inFlight: number };
    expect(atDrain.inFlight).toBeGreaterThan(0);
    const last = records.filter(isRecord.progress).at(-1) as { savedThisRun: number; invalid?: number; inFlight: number };
    expect(last.inFlight).toBe(0);
    expect(last.savedThisRun + (last.invalid ?? 0)).toBe(atDrain.savedThisRun + (atDrain.invalid ?? 0) + atDrain.inFlight);
    expect(readOutputFile(output).ids).toHaveLength(last.savedThisRun);
    expect(linesOf(invalid)).toBe(last.invalid ?? 0);

    // The daemon closed every server it started: none outlives it.
    await expectNoServerLeft(temporary);
  });

  it('a daemon killed outright leaves no server behind: each one ends when its input closes', async () => {
    const { npm, daemon, temporary, servers } = await start('kill-9');
    expect(servers.length).toBeGreaterThan(1);
    process.kill(daemon, 'SIGKILL');
    await npm.exited;
    await expectNoServerLeft(temporary);
  });
});
