import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { EMULATOR_MODELS, daemonTracker, readConversations, readLogRecords } from '../helpers/daemon.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY_A = 'together-a-instance-key-7c1e93';
const KEY_B = 'together-b-instance-key-42f0d8';
/** Each emulator enforces its own instance's rate with its own limiter; the daemon is configured with the same. */
const RATE_A = 4;
const RATE_B = 1;

/** The most arrivals any window of `windowMs` holds (arrivals in ms, oldest first). */
function busiestWindow(arrivals: readonly number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < arrivals.length; last++) {
    while (arrivals[last]! - arrivals[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Arrivals per second from the first to the last (arrivals in ms, oldest first). */
function meanRate(arrivals: readonly number[]): number {
  return (arrivals.length - 1) / (((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)) / 1000);
}

/**
 * Two instances of one provider type, each with its own key, base URL and limit, in one real
 * daemon run: two emulators stand for two Together accounts, so each one's limiter and arrival
 * times are that instance's alone, and a recording proxy in front of each shows which key came.
 */
describe('two instances of one provider type share a run', () => {
  let emulatorA: Emulator;
  let emulatorB: Emulator;
  let workspace: { path: string; cleanup: () => void };
  const daemons = daemonTracker();
  const closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    const options = { seed: 12, defaults: { latency: { medianMs: 40, sigma: 0.3 } } };
    emulatorA = await startEmulator(options);
    emulatorB = await startEmulator(options);
    emulatorA.configure('together', { requestsPerSecond: RATE_A });
    emulatorB.configure('together', { requestsPerSecond: RATE_B });
    workspace = makeTempDir();
  });
  afterEach(async () => {
    await daemons.killLeftovers();
    for (const close of closers.splice(0)) await close();
    await emulatorA.close();
    await emulatorB.close();
    workspace.cleanup();
  });

  it('each instance keeps to its own limit with its own key, and has its own line in the progress record and status', async () => {
    const proxyA = await startRecordingProxy(emulatorA.url);
    const proxyB = await startRecordingProxy(emulatorB.url);
    closers.push(proxyA.close, proxyB.close);
    const dataDir = path.join(workspace.path, 'data');
    mkdirSync(dataDir, { recursive: true });
    const viaProxy = (emulator: Emulator, proxy: { url: string }) => emulator.baseUrls.together.replace(emulator.url, proxy.url);
    writeFileSync(
      path.join(dataDir, 'secrets.json'),
      JSON.stringify({
        together_api_key: KEY_A,
        enabled_providers: ['together', 'together-b'],
        providers: {
          together: { requests_per_second: RATE_A, models: EMULATOR_MODELS, timeout_ms: 10_000 },
          'together-b': { type: 'together', api_key: KEY_B, base_url: viaProxy(emulatorB, proxyB), requests_per_second: RATE_B, models: EMULATOR_MODELS, timeout_ms: 10_000 },
        },
      }),
    );
    const daemon = daemons.spawn(['--target', '12', '--turns', '1-1', '--data-dir', dataDir, '--progress-interval', '1'], {
      cwd: workspace.path,
      env: { TOGETHER_BASE_URL: viaProxy(emulatorA, proxyA) },
    });
    expect((await daemon.exited).code, daemon.output()).toBe(0);

    // Separate limits, checked where they are enforced: each emulator saw its own instance's
    // requests at no more than that instance's rate, on average over the run and in any window.
    // The arrival times are taken in this test process behind an in-process proxy, which a loaded
    // machine (CI's 2 cores running the suite) now and then holds up for a few hundred ms and then
    // forwards two requests together: so two arrivals of slack per window, and the average, which
    // such a delay hardly moves (15 % of slack: the pacer forgives a timer's lateness, and both
    // instances at one shared rate, 5 requests/s, would still be 25 % over A's). (The pacer's own bound on every window is tested on a fake clock
    // in test/dispatcher/pacing.test.ts, and against a strict limiter in strict-limiter.test.ts.)
    const [countersA, countersB] = [emulatorA.counters().together, emulatorB.counters().together];
    expect(countersB.requests).toBeGreaterThan(2);
    expect(countersA.requests).toBeGreaterThan(countersB.requests);
    expect(meanRate(countersA.arrivals)).toBeLessThanOrEqual(RATE_A * 1.15);
    expect(meanRate(countersB.arrivals)).toBeLessThanOrEqual(RATE_B * 1.15);
    expect(busiestWindow(countersA.arrivals, 1000)).toBeLessThanOrEqual(RATE_A + 2);
    expect(busiestWindow(countersB.arrivals, 2000)).toBeLessThanOrEqual(2 * RATE_B + 2);

    // Each instance sent its own key, and only its own.
    const keysSent = (requests: readonly { headers: Record<string, unknown> }[]) => new Set(requests.map((request) => String(request.headers.authorization)));
    expect(keysSent(proxyA.requests)).toEqual(new Set([`Bearer ${KEY_A}`]));
    expect(keysSent(proxyB.requests)).toEqual(new Set([`Bearer ${KEY_B}`]));

    // Conversations route across the instances and record which one wrote each message.
    const conversations = readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'));
    expect(conversations).toHaveLength(12);
    const used = new Set(conversations.flatMap((conversation) => conversation.metadata.providers as string[]));
    expect(used).toEqual(new Set(['together', 'together-b']));

    // The progress record has one line per instance, with its own configured pace.
    type Progress = { providers: Record<string, { requests: number; pace?: { configuredPerSecond: number } }> };
    const last = readLogRecords(dataDir).filter((record) => record.msg === 'progress').at(-1) as unknown as Progress;
    expect(Object.keys(last.providers).sort()).toEqual(['together', 'together-b']);
    expect(last.providers.together).toMatchObject({ requests: countersA.requests, pace: { configuredPerSecond: RATE_A } });
    expect(last.providers['together-b']).toMatchObject({ requests: countersB.requests, pace: { configuredPerSecond: RATE_B } });

    const status = await runCli(['status', '--data-dir', dataDir], { cwd: workspace.path });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^ +together: \d+ conv · .*paced at [\d.]+\/s/m);
    expect(status.stdout).toMatch(/^ +together-b: \d+ conv · .*paced at [\d.]+\/s/m);
    // Monthly spend is kept per instance too.
    expect(status.stdout).toMatch(/^ +together: [\d,]+ tokens used/m);
    expect(status.stdout).toMatch(/^ +together-b: [\d,]+ tokens used/m);

    // Neither key appears in anything the run wrote or printed.
    const written = [daemon.output(), status.stdout, ...readdirSync(path.join(dataDir, 'logs')).map((file) => readFileSync(path.join(dataDir, 'logs', file), 'utf8'))];
    written.push(readFileSync(path.join(dataDir, 'status.json'), 'utf8'), readFileSync(path.join(dataDir, 'trainingData', 'conversations.jsonl'), 'utf8'));
    for (const text of written) {
      expect(text).not.toContain(KEY_A);
      expect(text).not.toContain(KEY_B);
    }
  });
});
