import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';

/** What the output file holds, read the way a training job would: line by line, each parsed. */
export interface OutputFile {
  readonly ids: readonly string[];
  /** Text after the last newline (a torn line); '' when the file ends cleanly. */
  readonly tail: string;
}

/** Reads the output; every complete line must parse as a conversation with an id (throws otherwise). */
export function readOutputFile(file: string): OutputFile {
  if (!existsSync(file)) return { ids: [], tail: '' };
  const text = readFileSync(file, 'utf8');
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline === -1 ? '' : text.slice(0, lastNewline);
  const ids = complete === ''
    ? []
    : complete.split('\n').map((line, index) => {
        const parsed = JSON.parse(line) as { id?: unknown; conversations?: unknown };
        if (typeof parsed.id !== 'string' || !Array.isArray(parsed.conversations)) {
          throw new Error(`line ${index + 1} of ${file} is not a conversation: ${line.slice(0, 200)}`);
        }
        return parsed.id;
      });
  return { ids, tail: text.slice(lastNewline + 1) };
}

export interface ToolRow {
  readonly table: 'memories' | 'diary_entries';
  readonly id: number;
  readonly createdBy: string;
  readonly deletedBy: string | null;
}

/** `PRAGMA integrity_check` and every memory/diary row (live or soft-deleted) of the tools database. */
export function readToolDatabase(file: string): { integrity: string; rows: ToolRow[] } {
  if (!existsSync(file)) return { integrity: 'ok', rows: [] };
  // Read-only: a check must not checkpoint or repair anything the daemon would otherwise do itself.
  const database = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = (database.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('\n');
    const rows: ToolRow[] = [];
    for (const table of ['memories', 'diary_entries'] as const) {
      const exists = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      if (exists === undefined) continue;
      for (const row of database.prepare(`SELECT id, created_by, deleted_by FROM ${table}`).all() as { id: number; created_by: string; deleted_by: string | null }[]) {
        rows.push({ table, id: row.id, createdBy: row.created_by, deletedBy: row.deleted_by });
      }
    }
    return { integrity, rows };
  } finally {
    database.close();
  }
}

/** Conversation ids a row names (its writer, and its deleter when deleted) that are not in `saved`. */
export function unsavedWriters(rows: readonly ToolRow[], saved: ReadonlySet<string>): Set<string> {
  const unsaved = new Set<string>();
  for (const row of rows) {
    if (!saved.has(row.createdBy)) unsaved.add(row.createdBy);
    if (row.deletedBy !== null && !saved.has(row.deletedBy)) unsaved.add(row.deletedBy);
  }
  return unsaved;
}

/**
 * The NDJSON records the daemon printed (its terminal is a pipe, so lines are plain pino JSON).
 * Read from the child's stdout rather than the log file: runs started within one second share a
 * log file, and the pipe is written synchronously, so a SIGKILL loses nothing printed before it.
 */
export function outputRecords(output: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by SIGKILL, or not a log record
    }
  }
  return records;
}

type LogRecord = Record<string, unknown>;
const messageOf = (record: LogRecord): string => (typeof record.msg === 'string' ? record.msg : '');

/**
 * How the tests recognise the daemon's records: by their fields and a key word rather than the full
 * message, so rewording a message for people does not break them. `progress` and `run summary` are
 * fixed names (users select them with jq).
 */
export const isRecord = {
  progress: (record: LogRecord) => record.msg === 'progress',
  summary: (record: LogRecord) => record.msg === 'run summary',
  discard: (record: LogRecord) => typeof record.conversationId === 'string' && typeof record.reason === 'string' && /discarded/.test(messageOf(record)),
  tornTailCut: (record: LogRecord) => record.level === 40 && typeof record.bytes === 'number' && 'tornLine' in record,
  startupRollback: (record: LogRecord) => typeof record.rows === 'number' && /rolled back/.test(messageOf(record)),
  /** The first signal's warning (shutdown-signals.ts): draining, with the grace period. */
  drain: (record: LogRecord) => record.level === 40 && typeof record.signal === 'string' && typeof record.graceSeconds === 'number' && /draining/.test(messageOf(record)),
  /** The second signal's warning: stopping now. */
  stopNow: (record: LogRecord) => record.level === 40 && typeof record.signal === 'string' && record.graceSeconds === undefined,
  graceOver: (record: LogRecord) => record.level === 40 && record.signal === undefined && /grace period/.test(messageOf(record)),
};
