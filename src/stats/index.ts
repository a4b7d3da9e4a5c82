/** The stats module: counters, rates, ETA, progress lines, the redacting logger and the status file. */
export { checkBudget, checkSpend, costCapProblem, type BudgetLimits } from './budget.js';
export { createLogger, createRunId, LOG_FORMATS, logProgress, type LogFormat, type LoggerOptions, type LogLevel, type RunLogger } from './create-logger.js';
export {
  classifyStatus,
  describeStatus,
  isProcessAlive,
  STALL_INTERVALS,
  type DescribeStatusOptions,
  type StatusCondition,
} from './describe-status.js';
export { describeProviderState, formatProgress, formatSummary, type SummaryOptions } from './format-progress.js';
export { readLogTail, type LogTailOptions } from './log-tail.js';
export { formatPrettyLine, type PrettyOptions } from './pretty-line.js';
export { ProgressReporter, type ProgressReporterOptions } from './progress-reporter.js';
export {
  PROGRESS_MESSAGE,
  SUMMARY_MESSAGE,
  type CostSummary,
  type LatencySummary,
  type ModelProgress,
  type ProgressRecord,
  type ProviderProgress,
  type TokenCounts,
  type ToolCallCounts,
} from './progress-record.js';
export { createRedactor, MIN_SECRET_LENGTH, REDACTED } from '../core/redact.js';
export { RunStats, type ModelPrice, type RunStatsOptions } from './run-stats.js';
export { SlidingWindow } from './sliding-window.js';
export {
  readStatusFile,
  STATUS_FILE_NAME,
  StatusFileError,
  statusFilePath,
  writeStatusFile,
  writeStatusFileSync,
} from './status-file.js';
export { RUN_STATES, runStatusSchema, type RunState, type RunStatus } from './status-schema.js';
