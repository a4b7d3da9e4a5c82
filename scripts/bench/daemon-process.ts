import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The compiled daemon, as the npm scripts run it (`npm run bench` builds it first);
 * `NIGHTSHIFT_DAEMON_MAIN` measures another build (one kept aside, to compare before and after).
 */
const MAIN = process.env.NIGHTSHIFT_DAEMON_MAIN ?? path.join(REPOSITORY_ROOT, 'dist/cli/main.js');
/** Enough of the daemon's terminal output to say why it failed. */
const OUTPUT_KEPT = 20_000;

/**
 * The node flags `npm run generate` starts the daemon with (V8's heap sizing), read from the
 * package.json beside the build measured, so the benchmark measures the process a user runs and a
 * build kept aside is measured with its own flags.
 */
export function generateNodeFlags(main: string = MAIN): string[] {
  const packageFile = path.resolve(path.dirname(main), '../../package.json');
  if (!existsSync(packageFile)) {
    throw new Error(`${packageFile} is missing: the daemon measured must be <checkout>/dist/cli/main.js beside <checkout>/package.json, whose generate script gives its node flags.`);
  }
  const script = (JSON.parse(readFileSync(packageFile, 'utf8')) as { scripts?: Record<string, string> }).scripts?.generate ?? '';
  const words = script.trim().split(/\s+/);
  const node = words.indexOf('node');
  const entry = words.findIndex((word) => word.endsWith('dist/cli/main.js'));
  if (node < 0 || entry < node) {
    throw new Error(`${packageFile}: expected scripts.generate to read "exec node [flags] dist/cli/main.js generate", found ${JSON.stringify(script)}.`);
  }
  return words.slice(node + 1, entry);
}

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From spawn to exit, in ms: includes Node start-up, module loading and the final flush. */
  readonly processWallMs: number;
  /** The last part of what it printed (stdout and stderr). */
  readonly outputTail: string;
  /** When it was spawned, epoch ms (on the clock of `performance.timeOrigin + performance.now()`). */
  readonly spawnedAtMs: number;
}

/**
 * `nightshift generate <args>` as a real child process: the command `npm run generate` runs, with its
 * node flags. `nodeArguments` go after those, before the script (`--cpu-prof`, `--heap-prof`: scripts/profile-daemon.ts).
 */
export function runDaemon(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; nodeArguments?: readonly string[] },
): Promise<DaemonExit> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (\`npm run bench\` does).`);
  const startedAt = performance.now();
  const spawnedAtMs = performance.timeOrigin + startedAt;
  const child = spawn(process.execPath, [...generateNodeFlags(), ...(options.nodeArguments ?? []), MAIN, 'generate', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A Ctrl+C on the benchmark reaches the daemon too (same process group); this covers other exits.
  const stop = (): void => void child.kill('SIGTERM');
  process.once('exit', stop);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.removeListener('exit', stop);
      resolve({ code, signal, processWallMs: performance.now() - startedAt, outputTail: output, spawnedAtMs });
    });
  });
}

export type LogRecord = Record<string, unknown> & { readonly msg?: unknown; readonly time?: unknown };

/** The NDJSON records of the daemon's latest log; unreadable lines are skipped and counted. */
export function readLogRecords(dataDir: string): { records: LogRecord[]; unreadable: number } {
  const file = path.join(dataDir, 'logs', 'latest.log');
  if (!existsSync(file)) return { records: [], unreadable: 0 };
  return parseLines<LogRecord>(readFileSync(file, 'utf8'));
}

/** What the benchmark reads of a saved conversation. */
export interface SavedLine {
  readonly id: string;
  readonly metadata: {
    readonly createdAt?: string;
    readonly timings?: { readonly startedAt?: string; readonly finishedAt?: string; readonly durationMs?: number };
    readonly turns?: number;
    readonly requests?: Readonly<Record<string, number>>;
    readonly retries?: readonly unknown[];
    readonly providerSwitches?: readonly unknown[];
  };
}

/** The output file's conversations, plus its first line verbatim (the store-scan sample). */
export function readOutput(outputFile: string): { conversations: SavedLine[]; firstLine: string | undefined; unreadable: number } {
  if (!existsSync(outputFile)) return { conversations: [], firstLine: undefined, unreadable: 0 };
  const text = readFileSync(outputFile, 'utf8');
  const firstLine = text.slice(0, text.indexOf('\n') + 1) || undefined;
  const { records, unreadable } = parseLines<SavedLine>(text);
  return { conversations: records, firstLine, unreadable };
}

function parseLines<T>(text: string): { records: T[]; unreadable: number } {
  const records: T[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}
