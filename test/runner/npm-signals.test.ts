import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { prepareDaemonData, readLogRecords } from '../helpers/daemon.js';
import { isAlive, parentOf, processGroupOf, spawnNpmGenerate, type NpmExit, type NpmGenerate } from '../helpers/npm-generate.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { isRecord, readOutputFile } from './daemon-checks.js';

type LogRecord = Record<string, unknown>;
/** The daemon's last record says its exit code: under npm, the shell's status hides it. */
const isLastRecord = (record: LogRecord) => record.msg === 'resource usage' && typeof record.exitCode === 'number';

/**
 * The process tree a user has: a terminal's Ctrl+C is SIGINT to every process of the foreground
 * group (npm and the daemon), and npm relays it to its child too; `docker stop` signals npm alone.
 */
describe('stopping `npm run generate` as a terminal, systemd or Docker does', () => {
  let emulator: Emulator;
  let workspace: { path: string; cleanup: () => void };
  const runs: NpmGenerate[] = [];
  beforeAll(async () => {
    // Conversations take a couple of seconds, so a signal always finds some in flight.
    emulator = await startEmulator({ seed: 21, defaults: { latency: { medianMs: 250, sigma: 0.3 } } });
    workspace = makeTempDir();
  });
  afterEach(() => {
    for (const run of runs.splice(0)) run.killLeftovers();
  });
  afterAll(async () => {
    await emulator.close();
    workspace.cleanup();
  });

  /** Starts the run and waits until it has saved a conversation (so others are in flight). */
  async function start(name: string, extraArgs: readonly string[] = []) {
    const dataDir = path.join(workspace.path, name);
    const env = prepareDaemonData(dataDir, emulator, { mistral: { requestsPerSecond: 40 }, together: { requestsPerSecond: 40 } });
    const args = ['--target', '500', '--data-dir', dataDir, '--concurrency', '4', '--users', '8', '--turns', '1-2', '--progress-interval', '60', ...extraArgs];
    const npm = spawnNpmGenerate(args, { dataDir, env });
    runs.push(npm);
    // What is true the moment npm returns the prompt, read before anything else can happen.
    let daemon: number | undefined;
    const atNpmExit = new Promise<{ daemonAlive: boolean; lastRecord: LogRecord | undefined }>((resolve) =>
      npm.child.once('exit', () => resolve({ daemonAlive: daemon !== undefined && isAlive(daemon), lastRecord: readLogRecords(dataDir).find(isLastRecord) })),
    );
    daemon = await npm.daemonPid();
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const deadline = Date.now() + 30_000;
    while (readOutputFile(output).ids.length < 1) {
      if (Date.now() > deadline || !isAlive(daemon)) throw new Error(`no conversation saved:\n${npm.output().slice(-3000)}`);
      await delay(20);
    }
    return { npm, daemon, dataDir, output, atNpmExit };
  }

  /** npm returned only once the daemon had finished: its last record written, its process gone. */
  async function expectNpmWaitedForTheDaemon(run: Awaited<ReturnType<typeof start>>, exitCode: number): Promise<NpmExit> {
    const exit = await run.npm.exited;
    const atExit = await run.atNpmExit;
    expect(atExit.daemonAlive, 'the daemon was still running when npm returned').toBe(false);
    expect(atExit.lastRecord, `the daemon had not finished when npm returned:\n${run.npm.output().slice(-3000)}`).toMatchObject({ exitCode });
    return exit;
  }

  /** It drained on `signal` as on a first Ctrl+C: nothing stopped at once, nothing discarded, the summary says why. */
  function expectDrainedOn(dataDir: string, signal: NodeJS.Signals): void {
    const records = readLogRecords(dataDir);
    expect(records.find(isRecord.drain)).toMatchObject({ signal });
    expect(records.some(isRecord.stopNow)).toBe(false);
    expect(records.filter(isRecord.discard)).toEqual([]);
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: signal });
  }

  it.each([
    ['', []],
    [' (provider SDKs in worker threads)', ['--provider-threads', 'on']],
  ])('one Ctrl+C drains%s: every conversation in flight is saved, the summary is printed, the daemon and npm exit 0', async (_label, extraArgs) => {
    const run = await start(`one-ctrl-c${extraArgs.length}`, extraArgs);
    // npm runs the daemon itself (the script's shell execs it), in the terminal's foreground group:
    // the Ctrl+C reaches the daemon directly and once more relayed by npm.
    expect(parentOf(run.daemon)).toBe(run.npm.child.pid);
    expect(processGroupOf(run.daemon)).toBe(run.npm.child.pid);
    run.npm.signalGroup('SIGINT');
    const exit = await expectNpmWaitedForTheDaemon(run, 0);
    expect(exit).toEqual({ code: 0, signal: null });

    const records = readLogRecords(run.dataDir);
    expect(records.find((record) => String(record.msg).startsWith('starting:'))).toMatchObject({ providerThreads: extraArgs.length > 0 });
    const drainAt = records.findIndex(isRecord.drain);
    expect(records[drainAt]).toMatchObject({ signal: 'SIGINT' });
    // The progress record written as the drain began counts what was in flight then.
    const atDrain = records.slice(drainAt).find(isRecord.progress) as { savedThisRun: number; inFlight: number };
    expect(atDrain.inFlight).toBeGreaterThan(0);
    const last = records.filter(isRecord.progress).at(-1) as { savedThisRun: number; started: number; inFlight: number };
    expect(last).toMatchObject({ savedThisRun: atDrain.savedThisRun + atDrain.inFlight, started: last.savedThisRun, inFlight: 0 });
    expect(records.filter(isRecord.discard)).toEqual([]);
    expect(records.some(isRecord.stopNow)).toBe(false);
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });
    const saved = readOutputFile(run.output);
    expect(saved).toMatchObject({ tail: '' });
    expect(saved.ids).toHaveLength(last.savedThisRun);

    const printed = run.npm.output();
    expect(printed).toContain('🏁 Run summary');
    expect(printed).toContain('stopped: SIGINT');
    expect(printed).not.toContain('stopping now');
  });

  it('two Ctrl+C a second apart stop at once: the daemon exits 130 and every saved line is whole', async () => {
    const run = await start('two-ctrl-c');
    const firstAt = Date.now();
    run.npm.signalGroup('SIGINT');
    const until = Date.now() + 30_000;
    while (!readLogRecords(run.dataDir).some(isRecord.drain) && Date.now() < until) await delay(20);
    await delay(Math.max(0, firstAt + 1_000 - Date.now()));
    run.npm.signalGroup('SIGINT');
    const exit = await expectNpmWaitedForTheDaemon(run, 130);
    expect(exit).toEqual({ code: 130, signal: null });

    const records = readLogRecords(run.dataDir);
    expect(records.find(isRecord.stopNow)).toMatchObject({ signal: 'SIGINT' });
    expect(records.find(isRecord.summary)).toMatchObject({ state: 'stopped', stopReason: 'SIGINT' });
    // Throws on a line that does not parse as a conversation.
    const saved = readOutputFile(run.output);
    expect(saved.tail).toBe('');
    expect(new Set(saved.ids).size).toBe(saved.ids.length);
  });

  it('SIGTERM to the daemon alone drains too, and npm returns its exit code 0', async () => {
    const run = await start('sigterm');
    process.kill(run.daemon, 'SIGTERM');
    const exit = await expectNpmWaitedForTheDaemon(run, 0);
    expect(exit).toEqual({ code: 0, signal: null });
    expectDrainedOn(run.dataDir, 'SIGTERM');
    expect(readOutputFile(run.output).tail).toBe('');
  });

  it('SIGTERM to npm alone (docker stop, npm being the first process of a container) is relayed to the daemon, which drains', async () => {
    const run = await start('sigterm-to-npm');
    process.kill(run.npm.child.pid!, 'SIGTERM');
    const exit = await expectNpmWaitedForTheDaemon(run, 0);
    expect(exit).toEqual({ code: 0, signal: null });
    expectDrainedOn(run.dataDir, 'SIGTERM');
  });
});
