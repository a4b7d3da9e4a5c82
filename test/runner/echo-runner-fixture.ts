import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { OpenedPipeline } from '../../src/pipelines/contract.js';
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

/** The output store and the echo pipeline opened in `workspace`, as a run opens them; close both after. */
export async function openEchoRun(workspace: string): Promise<{
  readonly output: string;
  readonly store: ConversationStore;
  readonly opened: OpenedPipeline;
  readonly settlements: EchoSettlements;
}> {
  const output = path.join(workspace, 'trainingData/conversations.jsonl');
  const { store } = await ConversationStore.open(output);
  const echo = createEchoPipeline();
  const opened = await echo.pipeline
    .prepare({ phrase: 'hello' }, { cwd: workspace, seed: 1, dryRun: true })
    .open({ dataDir: workspace, logger: pino({ level: 'silent' }), alreadySaved: 0, isSaved: () => false });
  return { output, store, opened, settlements: echo.settlements };
}
