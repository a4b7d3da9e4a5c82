import { afterAll, afterEach, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { daemonTracker, type spawnDaemon } from './daemon.js';
import { makeTempDir } from './temp-dir.js';

export interface DaemonSuite {
  /** The suite's emulator; set once the suite has started. */
  readonly emulator: Emulator;
  /** The suite's temporary directory; set once the suite has started. */
  readonly workspace: string;
  /** Spawns a daemon that is SIGKILLed after its test if it is still running. */
  readonly spawn: typeof spawnDaemon;
}

/**
 * The frame every suite of real daemon runs needs: one emulator and one temporary workspace for
 * the suite, and no daemon outliving its test (a daemon left by a failed assertion must not
 * outlive the emulator it talks to). Call it inside `describe`: it registers the hooks.
 */
export function daemonSuite(emulatorOptions: EmulatorOptions): DaemonSuite {
  let emulator: Emulator | undefined;
  let workspace: { path: string; cleanup: () => void } | undefined;
  const daemons = daemonTracker();
  beforeAll(async () => {
    emulator = await startEmulator(emulatorOptions);
    workspace = makeTempDir();
  });
  afterEach(() => daemons.killLeftovers());
  afterAll(async () => {
    await emulator?.close();
    workspace?.cleanup();
  });
  return {
    get emulator() {
      if (emulator === undefined) throw new Error('the daemon suite has not started: read `emulator` inside a test or hook');
      return emulator;
    },
    get workspace() {
      if (workspace === undefined) throw new Error('the daemon suite has not started: read `workspace` inside a test or hook');
      return workspace.path;
    },
    spawn: daemons.spawn,
  };
}
