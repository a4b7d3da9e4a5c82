import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';

/**
 * One daemon per data directory (and per output file): two would count the same starting point,
 * append past the target, and roll back each other's tool rows at start. The lock is a file
 * created with O_EXCL holding the owner's pid; a lock left by a process that no longer exists
 * (kill -9, reboot) is taken over.
 */
export function acquireRunLock(lockPath: string, describe: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const descriptor = openSync(lockPath, 'wx');
      writeSync(descriptor, `${process.pid}\n`);
      closeSync(descriptor);
      return { release: () => releaseIfOurs(lockPath) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockPath);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new ConfigError(
          `Another nightshift daemon (pid ${owner}) is already running on ${describe}. ` +
            `Stop it first (npm run status shows it), or give this run its own --data-dir.`,
        );
      }
      // The owner is gone: its lock is stale.
      try {
        unlinkSync(lockPath);
      } catch {
        // Another starter removed it first; the next attempt decides.
      }
    }
  }
  throw new ConfigError(`Could not take the lock ${lockPath}; another daemon is starting on ${describe} at the same time.`);
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(lockPath: string): void {
  if (readOwner(lockPath) !== process.pid) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Already gone.
  }
}
