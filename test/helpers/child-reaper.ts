import type { ChildProcess } from 'node:child_process';

/**
 * Children a test spawned and that are still running. When the test worker itself ends (a run that
 * timed out, a crashed worker, Ctrl+C on vitest), they are killed with it, so a daemon never keeps
 * running, and holding its emulator port or data directory, after the test run that started it.
 */
const living = new Map<ChildProcess, { group: boolean }>();
let hooked = false;

function killAll(): void {
  for (const [child, { group }] of living) {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  living.clear();
}

/** Kills `child` (its whole process group when `group`) if this process exits before it does. */
export function reapOnExit(child: ChildProcess, options: { group?: boolean } = {}): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        killAll();
        process.kill(process.pid, signal);
      });
    }
  }
  living.set(child, { group: options.group === true });
  child.once('exit', () => living.delete(child));
}
