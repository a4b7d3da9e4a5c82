import fs from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { NightshiftError } from '../core/errors.js';
import { PROGRESS_MESSAGE, type ProgressRecord } from './progress-record.js';
import { createRedactor } from '../core/redact.js';
import { RunLogDestination, TerminalSink } from './run-log-destination.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** What the terminal gets: readable lines, or the NDJSON the log file holds. */
export type LogFormat = 'pretty' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

export interface LoggerOptions {
  /** Directory of the log files, normally `<data-dir>/logs`; created if missing. */
  readonly logDirectory: string;
  /** Names this run's file `run-<runId>.log`; see `createRunId`. */
  readonly runId: string;
  /**
   * What the terminal shows: `debug` (--verbose), `info`, `warn` (--quiet: warnings, plus the
   * progress records and the run summary) or `error`. The file
   * always keeps `info` and above, and `debug` too when this is `debug`, so a quiet terminal never
   * costs the morning-after record.
   * @default 'info'
   */
  readonly level?: LogLevel;
  /** Where human output goes; null for none. @default process.stdout */
  readonly terminal?: NodeJS.WritableStream | null;
  /**
   * The terminal's format. Readable lines by default even when it is not a TTY (`nohup`, `| tee`):
   * the log file already keeps every record as NDJSON for machines, so the terminal serves a
   * person; `json` is for a pipe into `jq` or a log collector. Colours only on a TTY.
   * @default 'pretty'
   */
  readonly format?: LogFormat;
  /** Exact strings (API keys) replaced by `[REDACTED]` in every byte written; shorter than 7 characters are ignored. @default [] */
  readonly secrets?: readonly string[];
}

export interface RunLogger {
  readonly logger: Logger;
  /** Absolute path of this run's NDJSON file. */
  readonly logFile: string;
  /** `<logDirectory>/latest.log`, or null when neither a symlink nor a hard link could be made. */
  readonly latestLog: string | null;
  /** Resolves once every line written so far is on disk (fsync). */
  flush(): Promise<void>;
  /** Flushes and closes the file; later log calls still reach the terminal. Idempotent. */
  close(): Promise<void>;
}

const LATEST_NAME = 'latest.log';
const UNSAFE_FILE_CHARACTERS = /[^A-Za-z0-9._-]/g;
const FILE_LEVELS: Readonly<Record<LogLevel, LogLevel>> = { debug: 'debug', info: 'info', warn: 'info', error: 'info' };

/** "2026-11-22T01-02-03Z": an ISO instant without milliseconds and with file-name-safe separators. */
export function createRunId(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
}

/**
 * A pino logger writing NDJSON to `<logDirectory>/run-<runId>.log` (appending, so a run id reused
 * within one second never truncates) and to the terminal. `latest.log` always names the newest
 * run's file: a relative symlink, swapped atomically by rename, so `tail -F data/logs/latest.log`
 * follows across runs and restarts. Where symlinks are not allowed it is a hard link to the same
 * file (same inode, so appends show through and nothing is copied). Every line is redacted before
 * it reaches either place, and a closed terminal pipe (EPIPE) only silences the terminal.
 */
export function createLogger(options: LoggerOptions): RunLogger {
  const safeRunId = options.runId.replace(UNSAFE_FILE_CHARACTERS, '-');
  if (safeRunId === '') throw new NightshiftError('LOGGER_INVALID', 'Expected `runId` to be a non-empty string, got ``');
  const logDirectory = path.resolve(options.logDirectory);
  const logFile = path.join(logDirectory, `run-${safeRunId}.log`);
  let fileDescriptor: number;
  try {
    fs.mkdirSync(logDirectory, { recursive: true });
    fileDescriptor = fs.openSync(logFile, 'a');
  } catch (error) {
    throw new NightshiftError('LOGGER_FILE', `Cannot open the log file ${logFile}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const level = options.level ?? 'info';
  const terminalStream = options.terminal === undefined ? process.stdout : options.terminal;
  const terminal =
    terminalStream === null
      ? null
      : new TerminalSink(terminalStream, {
          pretty: (options.format ?? 'pretty') === 'pretty',
          color: (terminalStream as { isTTY?: boolean }).isTTY === true,
          minimumLevel: pino.levels.values[level] ?? 30,
        });
  const destination = new RunLogDestination(fileDescriptor, logFile, terminal, createRedactor(options.secrets ?? []));
  const logger = pino(
    {
      level: FILE_LEVELS[level],
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      // Errors under either key keep their message, stack and causes (then the redactor sees them).
      serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
    },
    destination,
  );
  const latest = pointLatestAt(logDirectory, logFile);
  if (latest.error !== undefined) {
    logger.warn({ logFile, reason: latest.error }, `could not create ${LATEST_NAME}; tail the run file instead`);
  }
  return {
    logger,
    logFile,
    latestLog: latest.path,
    flush: () => destination.flush(),
    close: () => destination.close(),
  };
}

/** Logs one progress snapshot as the fields of a `msg: "progress"` line (so `jq 'select(.msg=="progress")'` works). */
export function logProgress(logger: Logger, record: ProgressRecord): void {
  logger.info(record, PROGRESS_MESSAGE);
}

function pointLatestAt(logDirectory: string, logFile: string): { path: string | null; error?: string } {
  const latest = path.join(logDirectory, LATEST_NAME);
  const temporary = path.join(logDirectory, `.${LATEST_NAME}.${process.pid}.tmp`);
  const attempts: [string, () => void][] = [
    ['symlink', () => fs.symlinkSync(path.basename(logFile), temporary)],
    ['hard link', () => fs.linkSync(logFile, temporary)],
  ];
  const failures: string[] = [];
  for (const [kind, link] of attempts) {
    try {
      fs.rmSync(temporary, { force: true });
      link();
      // rename(2) replaces the old name in one step: a reader never finds latest.log missing.
      fs.renameSync(temporary, latest);
      return { path: latest };
    } catch (error) {
      failures.push(`${kind}: ${(error as Error).message}`);
    }
  }
  fs.rmSync(temporary, { force: true });
  return { path: null, error: failures.join('; ') };
}
