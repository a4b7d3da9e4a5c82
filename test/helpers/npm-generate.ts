import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { TEST_KEYS } from './daemon.js';
import { REPOSITORY_ROOT } from './run-cli.js';
import { reapOnExit } from './child-reaper.js';

export interface NpmExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface NpmGenerate {
  readonly child: ChildProcess;
  /** Everything npm, its shell and the daemon printed so far (stdout + stderr). */
  output(): string;
  /** Resolves when npm itself exits (`exit`, not `close`: a daemon left behind would hold the pipes open). */
  readonly exited: Promise<NpmExit>;
  /** The daemon's pid, from `<dataDir>/daemon.lock`, once it has taken the lock. */
  daemonPid(): Promise<number>;
  /** Signals npm's whole process group, as a terminal does on Ctrl+C. */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGKILLs whatever is left of the group (after a failed test). */
  killLeftovers(): void;
}

/**
 * `npm run generate -- <args>` as a user runs it, in its own process group (as a terminal's
 * foreground job is), against the emulator described by `env`. npm runs in the repository (npm
 * scripts need it as their working directory), so the run's state goes to the `--data-dir` in
 * `args`, and the keys are set in the environment so a developer's `.env` in the repository can
 * never replace them (the environment wins over `.env`).
 */
export function spawnNpmGenerate(
  args: readonly string[],
  options: { dataDir: string; env: Record<string, string> },
): NpmGenerate {
  const child = spawn('npm', ['run', 'generate', '--', ...args], {
    cwd: REPOSITORY_ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // No test may reach the internet: npm must not look for a newer version of itself.
      npm_config_update_notifier: 'false',
      MISTRAL_API_KEY: TEST_KEYS.mistral,
      TOGETHER_API_KEY: TEST_KEYS.together,
      HF_TOKEN: TEST_KEYS.huggingface,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  reapOnExit(child, { group: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NpmExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lockFile = path.join(options.dataDir, 'daemon.lock');
  let knownDaemon: number | undefined;
  return {
    child,
    output: () => output,
    exited,
    async daemonPid() {
      const deadline = Date.now() + 30_000;
      while (knownDaemon === undefined) {
        const pid = existsSync(lockFile) ? Number.parseInt(readFileSync(lockFile, 'utf8'), 10) : Number.NaN;
        if (Number.isInteger(pid) && pid > 0) knownDaemon = pid;
        else if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm exited before the daemon took its lock:\n${output.slice(-3000)}`);
        else if (Date.now() > deadline) throw new Error(`no daemon.lock in ${options.dataDir} after 30 s:\n${output.slice(-3000)}`);
        else await delay(20);
      }
      return knownDaemon;
    },
    signalGroup(signal) {
      process.kill(-child.pid!, signal);
    },
    killLeftovers() {
      for (const pid of [-child.pid!, knownDaemon]) {
        if (pid === undefined) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Whether a process with this pid exists (a zombie not yet reaped counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process group of a live process, from /proc/<pid>/stat (after the parenthesised command name). */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[2]);
}

/** The parent pid of a live process, from /proc/<pid>/stat. */
export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}
