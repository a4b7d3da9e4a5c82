import type { Logger } from 'pino';
import { checkBudget, checkSpend, type BudgetLimits } from './budget.js';
import { logProgress } from './create-logger.js';
import { formatSummary } from './format-progress.js';
import { SUMMARY_MESSAGE, type ProgressRecord } from './progress-record.js';
import { writeStatusFile } from './status-file.js';
import type { RunState, RunStatus } from './status-schema.js';

export interface ProgressReporterOptions {
  /** Anything with `snapshot()`, normally the run's `RunStats`. */
  readonly stats: { snapshot(): ProgressRecord };
  readonly logger: Logger;
  /** Where the status file goes, normally `statusFilePath(dataDirectory)`. */
  readonly statusFile: string;
  readonly outputPath: string;
  readonly logFile: string;
  /** How often progress is logged and the status file rewritten. @default 30_000 */
  readonly intervalMs?: number;
  /**
   * One extra report this long after the first request, so a person sees rates and latency within
   * seconds rather than a whole interval; the interval then counts from it. Skipped when the
   * interval is no longer than this. @default 5_000
   */
  readonly firstReportAfterMs?: number;
  /** Caps checked at every report. @default {} (none) */
  readonly budget?: BudgetLimits;
  /** Called once, the first time a cap is reached, with the reason; the runner should start draining. */
  readonly onBudgetReached?: (reason: string) => void;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** @default process.pid */
  readonly pid?: number;
}

/**
 * The periodic side of stats: every interval it takes one snapshot, logs it as a progress line,
 * rewrites the status file and checks the budget. A failed status write is logged, never thrown:
 * losing one update must not stop a run.
 */
export class ProgressReporter {
  private readonly options: ProgressReporterOptions;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startedAt: string;
  private timer: NodeJS.Timeout | undefined;
  private firstReportTimer: NodeJS.Timeout | undefined;
  private firstRequestSeen = false;
  private state: RunState = 'running';
  private stopReason: string | undefined;
  private budgetReported = false;
  /** Status writes run one after another so an older snapshot never lands after a newer one. */
  private writes: Promise<void> = Promise.resolve();

  constructor(options: ProgressReporterOptions) {
    const intervalMs = options.intervalMs ?? 30_000;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`Expected \`intervalMs\` to be a finite number > 0, got \`${intervalMs}\` (${typeof intervalMs})`);
    }
    this.options = options;
    this.intervalMs = intervalMs;
    this.now = options.now ?? Date.now;
    this.startedAt = new Date(this.now()).toISOString();
  }

  /** Reports once now (so the status file exists from the first second), then every interval. */
  start(): Promise<ProgressRecord> {
    if (this.timer === undefined) this.startInterval();
    return this.report();
  }

  /**
   * Called at every request start (cheap after the first): the first one schedules the early
   * report of `firstReportAfterMs`.
   */
  requestStarted(): void {
    if (this.firstRequestSeen) return;
    this.firstRequestSeen = true;
    const delayMs = this.options.firstReportAfterMs ?? 5_000;
    if (this.timer === undefined || delayMs >= this.intervalMs) return;
    this.firstReportTimer = setTimeout(() => {
      this.firstReportTimer = undefined;
      if (this.timer === undefined) return;
      clearInterval(this.timer);
      this.startInterval();
      void this.report();
    }, delayMs);
    this.firstReportTimer.unref();
  }

  /** Marks the run as draining (no new conversations) and reports at once. */
  drain(reason: string): Promise<ProgressRecord> {
    this.state = 'draining';
    this.stopReason = reason;
    return this.report();
  }

  /**
   * The token and cost caps between progress records, from running totals, so a cap is not
   * overshot by a whole interval of spending; the full report runs only once a cap is reached.
   */
  checkSpend(spent: { readonly tokens: number; readonly cost: number | undefined }): void {
    if (this.budgetReported || checkSpend(spent, this.options.budget ?? {}) === null) return;
    void this.report();
  }

  async report(): Promise<ProgressRecord> {
    const record = this.options.stats.snapshot();
    logProgress(this.options.logger, record);
    const reason = this.budgetReported ? null : checkBudget(record, this.options.budget ?? {});
    if (reason !== null) {
      this.budgetReported = true;
      // Said in this very write, so `status` shows the drain (and why) while it lasts, not "running".
      if (this.state === 'running') {
        this.state = 'draining';
        this.stopReason = reason;
      }
      this.options.logger.warn({ reason }, 'budget reached; stopping after the conversations in flight');
    }
    await this.write(record);
    if (reason !== null) this.options.onBudgetReached?.(reason);
    return record;
  }

  /** Stops the timer, writes the final status, logs the end-of-run summary and returns the last record. */
  async finish(state: 'finished' | 'stopped', stopReason: string): Promise<ProgressRecord> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.firstReportTimer);
    this.state = state;
    this.stopReason = stopReason;
    const record = this.options.stats.snapshot();
    logProgress(this.options.logger, record);
    await this.write(record);
    const wallSeconds = Math.max(0, (this.now() - Date.parse(this.startedAt)) / 1000);
    const summary = formatSummary(record, { wallSeconds, outputPath: this.options.outputPath, stopReason });
    this.options.logger.info({ state, stopReason, wallSeconds, summary }, SUMMARY_MESSAGE);
    return record;
  }

  /** Resolves when every status write started so far has landed (or failed and been logged). */
  flush(): Promise<void> {
    return this.writes;
  }

  private startInterval(): void {
    this.timer = setInterval(() => void this.report(), this.intervalMs);
    // The daemon's own work keeps the process alive; the reporter must never be the reason it hangs.
    this.timer.unref();
  }

  private write(record: ProgressRecord): Promise<void> {
    const status: RunStatus = {
      ...record,
      pid: this.options.pid ?? process.pid,
      startedAt: this.startedAt,
      updatedAt: new Date(this.now()).toISOString(),
      progressIntervalMs: this.intervalMs,
      state: this.state,
      ...(this.stopReason === undefined ? {} : { stopReason: this.stopReason }),
      outputPath: this.options.outputPath,
      logFile: this.options.logFile,
    };
    this.writes = this.writes.then(() =>
      writeStatusFile(this.options.statusFile, status).catch((error: unknown) => {
        this.options.logger.warn({ err: error, statusFile: this.options.statusFile }, 'could not write the status file');
      }),
    );
    return this.writes;
  }
}
