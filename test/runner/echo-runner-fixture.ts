import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { OpenedPipeline, PipelineContext, UnitOfWork } from '../../src/pipelines/contract.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ConversationRunner, type ConversationRunnerOptions, type RunOutcome } from '../../src/runner/conversation-runner.js';
import { RunStats } from '../../src/stats/index.js';
import { ConversationStore } from '../../src/store/index.js';
import { createEchoPipeline, type EchoSettlements } from '../fixtures/pipelines/echo/echo-pipeline.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * For runner tests over the echo pipeline: one emulator for the file (fast, steady replies) and a
 * fresh data directory with its `trainingData/` for each test. Call at the top of a test file.
 */
export function useEchoRunnerFixture(seed: number): { readonly emulator: () => Emulator; readonly workspace: () => string } {
  let emulator: Emulator | undefined;
  let workspace: { path: string; cleanup: () => void } | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ seed, defaults: { latency: { medianMs: 20, sigma: 0.1 } } });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    workspace = makeTempDir();
    mkdirSync(path.join(workspace.path, 'trainingData'));
  });
  afterEach(() => workspace?.cleanup());
  return {
    emulator: () => emulator as Emulator,
    workspace: () => (workspace as { path: string }).path,
  };
}

export interface EchoRunOptions {
  readonly target: number;
  readonly concurrency: number;
  /** The emulator's Together endpoint, paced at this rate. */
  readonly requestsPerSecond: number;
  /** What the runner runs: the echo pipeline opened for the run, wrapped to fail, stall or count. */
  readonly pipeline: (echo: OpenedPipeline, store: ConversationStore) => Pick<OpenedPipeline, 'run'>;
  readonly rejects?: ConversationRunnerOptions['rejects'];
}

/**
 * A real runner over the echo pipeline: the output store in the fixture's workspace, the
 * dispatcher on the emulator's Together endpoint through its SDK, conversations numbered
 * `conversation-1`, … in the order they open. `finish()` runs it to its end, closes everything,
 * and returns its outcome and the ids of the lines saved.
 */
export async function startEchoRun(
  fixture: ReturnType<typeof useEchoRunnerFixture>,
  options: EchoRunOptions,
): Promise<{
  readonly runner: ConversationRunner;
  readonly stats: RunStats;
  readonly settlements: EchoSettlements;
  readonly finish: () => Promise<{ readonly outcome: RunOutcome; readonly saved: string[] }>;
}> {
  const workspace = fixture.workspace();
  const output = path.join(workspace, 'trainingData/conversations.jsonl');
  const { store } = await ConversationStore.open(output);
  const echo = createEchoPipeline();
  const opened = await echo.pipeline
    .prepare({ phrase: 'hello' }, { cwd: workspace, seed: 1, dryRun: true })
    .open({ dataDir: workspace, logger: pino({ level: 'silent' }), alreadySaved: 0, isSaved: () => false });
  const dispatcher = new Dispatcher({
    providers: [
      {
        provider: createProvider('together', { apiKey: 'echo-run-key-1234', baseUrl: fixture.emulator().baseUrls.together }),
        models: { echo: 'offline-echo' },
        requestsPerSecond: options.requestsPerSecond,
      },
    ],
  });
  const stats = new RunStats({ target: options.target, alreadySaved: 0 });
  let next = 0;
  const runner = new ConversationRunner({
    target: options.target,
    store,
    pipeline: options.pipeline(opened, store),
    dispatcher,
    stats,
    rejects: options.rejects ?? { append: async () => undefined },
    logger: pino({ level: 'silent' }),
    concurrency: options.concurrency,
    newId: () => `conversation-${++next}`,
  });
  const finish = async () => {
    let outcome: RunOutcome;
    try {
      outcome = await runner.run();
    } finally {
      dispatcher.close();
      await store.close();
      opened.close();
    }
    const saved = readFileSync(output, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: string }).id);
    return { outcome, saved };
  };
  return { runner, stats, settlements: echo.settlements, finish };
}

/**
 * One conversation of `requests` requests: `requests - 1` steps through the requester, then the
 * echo pipeline's own. `onAnswered` is called after each reply, the last one included.
 */
export async function echoAfterSteps(
  echo: Pick<OpenedPipeline, 'run'>,
  context: PipelineContext,
  requests: number,
  onAnswered: () => void,
): Promise<UnitOfWork> {
  for (let request = 1; request < requests; request++) {
    await context.requester.complete({ role: 'echo', messages: [{ role: 'user', content: `step ${request}` }], maxTokens: 20, signal: context.signal });
    onAnswered();
  }
  const unit = await echo.run(context);
  onAnswered();
  return unit;
}
