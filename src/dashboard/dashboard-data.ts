import fsp from 'node:fs/promises';
import path from 'node:path';
import { readBudgetReport, type BudgetReport } from '../budget/budget-report.js';
import { classifyStatus, type StatusCondition } from '../stats/describe-status.js';
import { readStatusFile, StatusFileError, statusFilePath } from '../stats/status-file.js';
import type { RunStatus } from '../stats/status-schema.js';
import { invalidOutputPath } from '../store/invalid-output.js';
import { REJECTS_FILE_NAME } from '../store/rejects-file.js';
import { DataQuality, type QualitySource, type QualitySummary } from './data-quality.js';
import { FollowedFile } from './followed-file.js';
import { RunHistory, type HistoryPoint, type LogEvent } from './run-history.js';

/** Everything the page shows, as one JSON document (sent whole at every change). */
export interface DashboardSnapshot {
  readonly dataDirectory: string;
  readonly generatedAt: string;
  /** `waiting`: no status file yet (no run has written a progress record in this directory). */
  readonly condition: StatusCondition | 'waiting';
  /** The status file as last read successfully; null before the first. */
  readonly status: RunStatus | null;
  /** Why the status file could not be read just now, when it could not. */
  readonly problem: string | null;
  readonly history: readonly HistoryPoint[];
  /**
   * Names this history: while it stays the same, a newer snapshot's history is the older one with
   * points appended, so the server can send only those (a night's history is most of the bytes).
   */
  readonly historyEpoch: string;
  readonly quality: QualitySummary;
  readonly budgets: BudgetReport | null;
  readonly events: readonly LogEvent[];
}

export interface DashboardDataOptions {
  readonly dataDirectory: string;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** @default signal-0 check (stats/describe-status.ts) */
  readonly isProcessAlive?: (pid: number) => boolean;
}

const DEFAULT_OUTPUT = path.join('trainingData', 'conversations.jsonl');
const RUN_LOG = /^run-.*\.log$/;

/**
 * Reads a run's data directory, and only that: the status file, every run log (`logs/run-*.log`,
 * so the charts span restarts), the output, the invalid file and `rejects.jsonl`. Files are
 * followed from where the last refresh stopped, so a night's files are read once. Never writes.
 */
export class DashboardData {
  private readonly now: () => number;
  private history = new RunHistory();
  private logs = new Map<string, FollowedFile>();
  private historyRebuilds = 0;
  private readonly quality = new DataQuality();
  private qualityFiles: { output: string; followers: Map<QualitySource, FollowedFile> } | undefined;
  private status: RunStatus | null = null;
  private problem: string | null = null;
  private budgets: BudgetReport | null = null;
  private fingerprint = '';
  private linesSeen = 0;

  constructor(private readonly options: DashboardDataOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads what changed; true when the snapshot differs from the one before. */
  async refresh(): Promise<boolean> {
    let linesRead = await this.readStatus();
    linesRead += await this.readLogs();
    linesRead += await this.readQualityFiles();
    this.linesSeen += linesRead;
    // The condition is in it because it changes with no file changing: a daemon dies, or stops updating.
    const fingerprint = `${this.status?.updatedAt}|${this.problem}|${this.condition()}|${this.linesSeen}`;
    const changed = fingerprint !== this.fingerprint;
    this.fingerprint = fingerprint;
    return changed;
  }

  snapshot(): DashboardSnapshot {
    return {
      dataDirectory: this.options.dataDirectory,
      generatedAt: new Date(this.now()).toISOString(),
      condition: this.condition(),
      status: this.status,
      problem: this.problem,
      history: this.history.history(),
      historyEpoch: `${this.historyRebuilds}.${this.history.thinningCount}`,
      quality: this.quality.summary(),
      budgets: this.budgets,
      events: this.history.newestEvents(),
    };
  }

  private condition(): StatusCondition | 'waiting' {
    if (this.status === null) return 'waiting';
    return classifyStatus(this.status, {
      now: this.now,
      ...(this.options.isProcessAlive === undefined ? {} : { isProcessAlive: this.options.isProcessAlive }),
    });
  }

  private async readStatus(): Promise<number> {
    const before = this.status?.updatedAt;
    try {
      this.status = await readStatusFile(statusFilePath(this.options.dataDirectory));
      this.problem = null;
    } catch (error) {
      // A missing file before the first record is normal; anything else is shown, with the last good status kept.
      this.problem = error instanceof StatusFileError && error.code === 'STATUS_FILE_MISSING' ? null : (error as Error).message;
    }
    if (this.status?.updatedAt === before) return 0;
    try {
      this.budgets = readBudgetReport(this.options.dataDirectory, this.now()) ?? null;
    } catch (error) {
      // The budgets are an addition to the status: an unreadable ledger must not hide the rest.
      this.problem = `could not read the monthly budgets: ${(error as Error).message}`;
    }
    return 1;
  }

  private async readLogs(): Promise<number> {
    const directory = path.join(this.options.dataDirectory, 'logs');
    let names: string[];
    try {
      names = (await fsp.readdir(directory)).filter((name) => RUN_LOG.test(name)).sort();
    } catch {
      return 0;
    }
    let linesRead = 0;
    for (const name of names) {
      let follower = this.logs.get(name);
      if (follower === undefined) {
        follower = new FollowedFile(path.join(directory, name));
        this.logs.set(name, follower);
      }
      for (let more = true; more; ) {
        const read = await follower.read();
        if (read.restarted) {
          // A log is only appended to; one that starts again means the history must be read again whole.
          this.history = new RunHistory();
          this.historyRebuilds++;
          this.logs = new Map();
          return 1 + (await this.readLogs());
        }
        for (const line of read.lines) this.history.add(line);
        linesRead += read.lines.length;
        more = read.more;
      }
    }
    return linesRead;
  }

  private async readQualityFiles(): Promise<number> {
    const output = path.resolve(this.options.dataDirectory, this.status?.outputPath ?? DEFAULT_OUTPUT);
    if (this.qualityFiles?.output !== output) {
      for (const source of ['valid', 'invalid', 'rejects'] as const) this.quality.restart(source);
      this.qualityFiles = {
        output,
        followers: new Map([
          ['valid', new FollowedFile(output)],
          ['invalid', new FollowedFile(invalidOutputPath(output))],
          ['rejects', new FollowedFile(path.join(this.options.dataDirectory, REJECTS_FILE_NAME))],
        ]),
      };
    }
    let linesRead = 0;
    for (const [source, follower] of this.qualityFiles.followers) {
      for (let more = true; more; ) {
        const read = await follower.read();
        if (read.restarted) this.quality.restart(source);
        for (const line of read.lines) this.quality.add(source, line);
        linesRead += read.lines.length + (read.restarted ? 1 : 0);
        more = read.more;
      }
    }
    return linesRead;
  }
}
