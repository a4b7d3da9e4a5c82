import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator, type EmulatorCounters } from '../../src/emulator/index.js';
import { ArrivalRecorder, type ArrivalTimeline } from './arrival-recorder.js';
import { readLogRecords, readOutput, runDaemon, type DaemonExit, type LogRecord, type SavedLine } from './daemon-process.js';
import { emulatorProviderOptions, prepareDataDir, providersOf, type Workload } from './workload.js';

export interface WorkloadRun {
  readonly target: number;
  /** `--concurrency`, or undefined for the daemon's automatic choice. */
  readonly concurrency: number | undefined;
  readonly exit: DaemonExit;
  readonly logRecords: readonly LogRecord[];
  readonly conversations: readonly SavedLine[];
  /** The output's first line verbatim: a real conversation to copy for the store-scan figure. */
  readonly sampleLine: string | undefined;
  readonly counters: EmulatorCounters;
  readonly timeline: ArrivalTimeline;
  /** The emulator's time zero as epoch ms, to place its arrivals next to the daemon's timestamps. */
  readonly emulatorOriginMs: number;
}

/**
 * One daemon run from an empty data directory to `target` saved conversations, against a fresh
 * emulator in this process enforcing the same rates the daemon is configured with.
 */
export async function runWorkload(
  workload: Workload,
  options: { target: number; concurrency?: number; nodeArguments?: readonly string[]; daemonArguments?: readonly string[] },
): Promise<WorkloadRun> {
  const providers = providersOf(workload);
  // startEmulator takes its time zero synchronously on entry, so this is within microseconds of it.
  const emulatorOriginMs = performance.timeOrigin + performance.now();
  const emulator = await startEmulator({
    seed: workload.seed,
    providers: Object.fromEntries(providers.map((provider) => [provider, emulatorProviderOptions(workload, provider)])),
  });
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-'));
  const recorder = new ArrivalRecorder(emulator, providers);
  try {
    const dataDir = path.join(workspace, 'data');
    const env = prepareDataDir(dataDir, emulator, workload);
    const daemonArgs = [
      '--target', String(options.target),
      '--data-dir', dataDir,
      '--seed', String(workload.seed),
      '--progress-interval', '5',
      ...(options.concurrency === undefined ? [] : ['--concurrency', String(options.concurrency)]),
      ...(options.daemonArguments ?? []),
    ];
    recorder.start();
    const exit = await runDaemon(daemonArgs, { cwd: workspace, env, nodeArguments: options.nodeArguments });
    const timeline = recorder.stop();
    const { records } = readLogRecords(dataDir);
    const output = readOutput(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    return {
      target: options.target,
      concurrency: options.concurrency,
      exit,
      logRecords: records,
      conversations: output.conversations,
      sampleLine: output.firstLine,
      counters: emulator.counters(),
      timeline,
      emulatorOriginMs,
    };
  } finally {
    recorder.stop(); // a second stop only polls once more; this one matters when the daemon failed to spawn
    await emulator.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}
