import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
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
