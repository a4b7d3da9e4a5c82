import path from 'node:path';
import { formatProgress, formatSummary } from './format-progress.js';
import { formatDuration } from './format-units.js';
import type { RunStatus } from './status-schema.js';

/**
 * What `status` concludes: the state the file claims, corrected by whether its writer is alive
 * and still updating it.
 */
export type StatusCondition = 'running' | 'draining' | 'stalled' | 'dead' | 'finished' | 'stopped';

export interface DescribeStatusOptions {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** @default isProcessAlive (signal 0) */
  readonly isProcessAlive?: (pid: number) => boolean;
}

/** A run is stalled after this many progress intervals without an update. */
export const STALL_INTERVALS = 3;

/** Signal 0 checks existence without touching the process; EPERM means it exists but is not ours. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function classifyStatus(status: RunStatus, options: DescribeStatusOptions = {}): StatusCondition {
  if (status.state === 'finished' || status.state === 'stopped') return status.state;
  const alive = (options.isProcessAlive ?? isProcessAlive)(status.pid);
  if (!alive) return 'dead';
  const silentMs = (options.now ?? Date.now)() - Date.parse(status.updatedAt);
  if (silentMs > STALL_INTERVALS * status.progressIntervalMs) return 'stalled';
  return status.state;
}

/** The `status` command's answer, in words a person reads in the morning. */
export function describeStatus(status: RunStatus, options: DescribeStatusOptions = {}): string {
  const nowMs = (options.now ?? Date.now)();
  const condition = classifyStatus(status, options);
  const lastUpdate = ago(nowMs, status.updatedAt);
  const where =
    `output: ${status.outputPath}\nlog: ${status.logFile}` +
    (condition === 'dead' ? '' : ` (follow it: tail -F ${path.join(path.dirname(status.logFile), 'latest.log')})`);
  switch (condition) {
    case 'running':
      return [
        `🟢 running — pid ${status.pid}, started ${ago(nowMs, status.startedAt)}, last update ${lastUpdate}`,
        formatProgress(status),
        where,
      ].join('\n');
    case 'draining':
      return [
        `🟡 draining — pid ${status.pid} is finishing the conversations in flight and starting no new ones` +
          (status.stopReason === undefined ? '' : ` (${status.stopReason})`) +
          `; last update ${lastUpdate}`,
        formatProgress(status),
        where,
      ].join('\n');
    case 'stalled':
      return [
        `⚠️ stalled — pid ${status.pid} is alive but its last update was ${lastUpdate} ` +
          `(it updates every ${formatDuration(status.progressIntervalMs / 1000)}); it may be stuck: read the end of its log`,
        formatProgress(status),
        where,
      ].join('\n');
    case 'dead':
      return [
        `🔴 the daemon is not running (last update ${lastUpdate}); it stopped without finishing — ` +
          'run the same command to resume. The end of its log says why it stopped.',
        'last known progress:',
        formatProgress(status),
        where,
      ].join('\n');
    case 'finished':
    case 'stopped':
      return [
        condition === 'finished'
          ? `✅ finished ${lastUpdate}`
          : `⏹️ stopped ${lastUpdate}: ${status.stopReason ?? 'no reason recorded'}` +
            (status.saved < status.target ? ' — run the same command to continue to the target' : ''),
        formatSummary(status, {
          wallSeconds: Math.max(0, (Date.parse(status.updatedAt) - Date.parse(status.startedAt)) / 1000),
          outputPath: status.outputPath,
          stopReason: status.stopReason ?? (condition === 'finished' ? 'target reached' : 'unknown'),
        }),
        `log: ${status.logFile}`,
      ].join('\n');
  }
}

function ago(nowMs: number, iso: string): string {
  const seconds = (nowMs - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return 'at an unknown time';
  if (seconds < 0) return 'just now';
  return `${formatDuration(seconds)} ago`;
}
