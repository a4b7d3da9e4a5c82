import { formatProgress } from './format-progress.js';
import { PROGRESS_MESSAGE, SUMMARY_MESSAGE, type ProgressRecord } from './progress-record.js';

/** pino's numeric levels and the label a terminal shows for each. */
const LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLORS: Readonly<Record<number, string>> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every pino line carries that a person at a terminal does not need to read. */
const HIDDEN_FIELDS: ReadonlySet<string> = new Set(['level', 'time', 'msg', 'pid', 'hostname']);
const ERROR_LEVEL = 50;
const BARE_VALUE = /^[^\s"=]+$/;

export interface PrettyOptions {
  /** ANSI colours for the level label. @default false */
  readonly color?: boolean;
}

/**
 * Turns one (already redacted) NDJSON log line into a line for a person: "01:02:03 INFO  message
 * key=value …". Progress lines print in the compact progress form. A line that is not JSON is
 * passed through unchanged, so nothing is ever lost.
 */
export function formatPrettyLine(line: string, options: PrettyOptions = {}): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return `${line.trimEnd()}\n`;
  const fields = entry as Record<string, unknown>;
  const time = clockTime(fields.time);
  const level = typeof fields.level === 'number' ? fields.level : 30;
  const message = typeof fields.msg === 'string' ? fields.msg : '';
  if (message === PROGRESS_MESSAGE && looksLikeProgress(fields)) {
    try {
      return `${time} ${formatProgress(fields as unknown as ProgressRecord)}\n`;
    } catch {
      // A malformed progress line still prints, generically, below.
    }
  }
  if (message === SUMMARY_MESSAGE && typeof fields.summary === 'string') return `${time} ${fields.summary}\n`;
  const label = LEVEL_LABELS[level] ?? `L${level}`;
  const coloredLabel = options.color === true ? `\u001b[${LEVEL_COLORS[level] ?? '0'}m${label}\u001b[0m` : label;
  const extras: string[] = [];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (HIDDEN_FIELDS.has(key) || value === undefined) continue;
    if (isSerializedError(value)) {
      extras.push(`${key}=${quoteIfNeeded(`${value.type ?? 'Error'}: ${value.message}`)}`);
      if (level >= ERROR_LEVEL && typeof value.stack === 'string') stacks.push(indent(value.stack));
      continue;
    }
    extras.push(`${key}=${typeof value === 'string' ? quoteIfNeeded(value) : JSON.stringify(value)}`);
  }
  const head = [time, coloredLabel, message, ...extras].filter((part) => part !== '').join(' ');
  return [head, ...stacks].join('\n') + '\n';
}

function looksLikeProgress(fields: Record<string, unknown>): boolean {
  return (
    typeof fields.saved === 'number' &&
    typeof fields.target === 'number' &&
    typeof fields.rate === 'object' &&
    fields.rate !== null &&
    typeof fields.providers === 'object' &&
    fields.providers !== null &&
    typeof fields.tokens === 'object' &&
    fields.tokens !== null &&
    typeof fields.discarded === 'object' &&
    fields.discarded !== null
  );
}

interface SerializedError {
  readonly type?: string;
  readonly message: string;
  readonly stack?: unknown;
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { stack?: unknown }).stack === 'string'
  );
}

/** pino's time is an ISO string here (isoTime) or epoch milliseconds (its default). */
function clockTime(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

function quoteIfNeeded(text: string): string {
  return BARE_VALUE.test(text) ? text : JSON.stringify(text);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
