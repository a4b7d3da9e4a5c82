import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatBudgetReport, readBudgetReport } from '../budget/index.js';
import { OFFLINE_DATA_DIR } from '../config/offline-configuration.js';
import { classifyStatus, describeStatus, type StatusCondition } from '../stats/describe-status.js';
import { readLogTail } from '../stats/log-tail.js';
import { formatPrettyLine } from '../stats/pretty-line.js';
import { readStatusFile, StatusFileError, statusFilePath } from '../stats/status-file.js';
import { describeFreshness, manifestPath, readManifest, type DatasetFreshness } from '../store/index.js';

export const STATUS_USAGE = `Usage: npm run status [-- --data-dir DIR | --offline] [--json]

Says how far the run in DIR has got, how fast it is going, when it will be done, how each provider
is doing, and, if it is not running, whether it finished or stopped and why; then what is left of
each monthly budget this calendar month (UTC).

Options:
  -d, --data-dir <dir>  The run's data directory (default: data); reads <dir>/status.json.
      --offline         The dry run's data directory (${OFFLINE_DATA_DIR}), as \`generate --offline\` uses it.
      --json            Print the status file with the computed "condition" (and "monthlyBudgets") as JSON instead.
  -h, --help            Show this help.

Exit codes: 0 running, draining, finished or stopped cleanly; 1 no run was started in DIR;
2 bad arguments or an unreadable status file; 3 the daemon died or stalled before finishing.`;

export interface StatusCommandIo {
  /** @default process.stdout */
  readonly stdout?: Writable;
  /** @default process.stderr */
  readonly stderr?: Writable;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default signal-0 check (describe-status.ts) */
  readonly isProcessAlive?: (pid: number) => boolean;
  /** Relative `--data-dir` values resolve against this. @default process.cwd() */
  readonly cwd?: string;
}

const EXIT_OK = 0;
const EXIT_NO_RUN = 1;
const EXIT_USAGE = 2;
const EXIT_NOT_RUNNING = 3;
const UNHEALTHY: ReadonlySet<StatusCondition> = new Set(['dead', 'stalled']);
/** Conditions where the end of the log probably says what went wrong. */
const SHOW_LOG_TAIL: ReadonlySet<StatusCondition> = new Set(['dead', 'stalled', 'stopped']);

/** `nightshift status …` (argv without the subcommand). Returns the process exit code. */
export async function runStatusCommand(argv: readonly string[], io: StatusCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let values: { 'data-dir'?: string; offline: boolean; json: boolean; help: boolean };
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        'data-dir': { type: 'string', short: 'd' },
        offline: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values as typeof values;
  } catch (error) {
    stderr.write(`${(error as Error).message}\n\n${STATUS_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    stdout.write(`${STATUS_USAGE}\n`);
    return EXIT_OK;
  }
  const cwd = io.cwd ?? process.cwd();
  const dataDirectory = path.resolve(cwd, values['data-dir'] ?? (values.offline ? OFFLINE_DATA_DIR : 'data'));
  const filePath = statusFilePath(dataDirectory);
  let budgets;
  try {
    budgets = readBudgetReport(dataDirectory, (io.now ?? Date.now)());
  } catch (error) {
    // The budgets are an addition to the status: an unreadable ledger must not hide the rest.
    stderr.write(`could not read the monthly budgets in ${dataDirectory}: ${(error as Error).message}\n`);
  }
  let status;
  try {
    status = await readStatusFile(filePath);
  } catch (error) {
    if (error instanceof StatusFileError && error.code === 'STATUS_FILE_MISSING') {
      const dryRun = values['data-dir'] === undefined && !values.offline && fs.existsSync(statusFilePath(path.resolve(cwd, OFFLINE_DATA_DIR)));
      stderr.write(
        `No run has been started in ${dataDirectory} (there is no ${path.basename(filePath)}). ` +
          (dryRun
            ? `There is a dry run (--offline) in ${OFFLINE_DATA_DIR}: \`npm run status -- --offline\`.\n`
            : 'Start one with `npm run generate`, or pass the data directory you used: `npm run status -- --data-dir DIR`.\n'),
      );
      if (budgets !== undefined && !values.json) stdout.write(`${formatBudgetReport(budgets)}\n`);
      return EXIT_NO_RUN;
    }
    if (error instanceof StatusFileError) {
      stderr.write(`${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const options = {
    ...(io.now === undefined ? {} : { now: io.now }),
    ...(io.isProcessAlive === undefined ? {} : { isProcessAlive: io.isProcessAlive }),
  };
  const condition = classifyStatus(status, options);
  const freshness = readFreshness(path.resolve(dataDirectory, status.outputPath), stderr);
  if (values.json) {
    stdout.write(`${JSON.stringify({ condition, ...status, ...(budgets === undefined ? {} : { monthlyBudgets: budgets }), ...(freshness === undefined ? {} : { freshness }) }, null, 2)}\n`);
  } else {
    stdout.write(`${describeStatus(status, options)}\n`);
    if (freshness !== undefined) stdout.write(`📦 Output ${freshness.description}\n`);
    if (budgets !== undefined) stdout.write(`${formatBudgetReport(budgets)}\n`);
    if (SHOW_LOG_TAIL.has(condition)) {
      const lines = await readLogTail(path.resolve(dataDirectory, status.logFile));
      if (lines.length > 0) {
        stdout.write(`last warnings and errors in the log:\n${lines.map((line) => formatPrettyLine(line)).join('')}`);
      }
    }
  }
  return UNHEALTHY.has(condition) ? EXIT_NOT_RUNNING : EXIT_OK;
}

/** The prompts' names in a manifest are relative to the repository this command runs from. */
const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The output's freshness from its manifest; undefined (with a note for an unreadable one) when there is none. */
function readFreshness(outputPath: string, stderr: Writable): DatasetFreshness | undefined {
  const read = readManifest(manifestPath(outputPath));
  if (read.kind === 'unreadable') stderr.write(`the manifest beside ${outputPath} is unreadable (${read.reason}); the next run writes a new one\n`);
  return read.kind === 'read' ? describeFreshness(read.manifest, REPOSITORY_ROOT) : undefined;
}

/** True when this file is the process entry (`tsx src/cli/status-command.ts`), not an import. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runStatusCommand(process.argv.slice(2));
}
