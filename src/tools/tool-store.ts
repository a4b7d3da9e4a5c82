/**
 * The memory and diary tools on SQLite (better-sqlite3).
 *
 * Rows belong to a simulated user (`user_id`) and persist across that user's conversations. Each
 * row records the conversation that wrote it (`created_by`) and, once deleted, the one that
 * deleted it (`deleted_by`): deletion is soft, so a conversation that is discarded or never saved
 * can be undone completely (its inserts removed, its deletions cleared).
 *
 * A conversation's first write also opens it in `open_conversations`, in the same transaction; the
 * runner closes it (`markSaved`) once its line is durable in the output. At start, only open
 * conversations are candidates for rollback: what the output file holds today (another `--output`,
 * an archived file) never decides the fate of conversations that were already saved.
 *
 * Every statement is prepared once in `open`; model text is only ever bound as a parameter.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, NightshiftError } from '../core/errors.js';
import {
  OPEN_CONVERSATIONS_SCHEMA,
  prepareOpenStatements,
  type OpenConversationRecovery,
  type OpenStatements,
} from './open-conversations.js';
import { runTool, type EntryRepository, type StoredEntry } from './run-tool.js';
import {
  DEFAULT_TOOL_LIMITS,
  type EntryKind,
  type ToolContext,
  type ToolLimits,
  type ToolResult,
} from './tool-definitions.js';

export interface ToolStoreOptions {
  /** Limits on entries; unset fields keep their defaults (see `ToolLimits`). */
  readonly limits?: Partial<ToolLimits>;
  /**
   * How long a statement waits for another connection's lock before failing.
   * @default 5000
   */
  readonly busyTimeoutMs?: number;
}

/** 2 added `open_conversations`; a version-1 file gains it on open, with no open rows. */
const SCHEMA_VERSION = 2;
const TABLES: Readonly<Record<EntryKind, string>> = { memory: 'memories', diary: 'diary_entries' };
const KINDS = Object.keys(TABLES) as EntryKind[];

function schemaFor(table: string): string {
  // The partial indexes match the queries exactly: recall reads live rows of one user in id
  // order; rollback finds rows by the conversation that created or deleted them.
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id INTEGER PRIMARY KEY,
      user_id TEXT NOT NULL,
      content TEXT NOT NULL,
      created_by TEXT NOT NULL,
      deleted_by TEXT
    ) STRICT;
    CREATE INDEX IF NOT EXISTS ${table}_live ON ${table} (user_id, id) WHERE deleted_by IS NULL;
    CREATE INDEX IF NOT EXISTS ${table}_created_by ON ${table} (created_by);
    CREATE INDEX IF NOT EXISTS ${table}_deleted_by ON ${table} (deleted_by) WHERE deleted_by IS NOT NULL;`;
}

function prepareStatements(database: Database.Database, table: string) {
  return {
    listLive: database.prepare<[string], StoredEntry>(
      `SELECT id, content FROM ${table} WHERE user_id = ? AND deleted_by IS NULL ORDER BY id`,
    ),
    insert: database.prepare<[string, string, string]>(
      `INSERT INTO ${table} (user_id, content, created_by) VALUES (?, ?, ?)`,
    ),
    markDeleted: database.prepare<[string, number]>(
      `UPDATE ${table} SET deleted_by = ? WHERE id = ? AND deleted_by IS NULL`,
    ),
    removeCreated: database.prepare<[string]>(`DELETE FROM ${table} WHERE created_by = ?`),
    restoreDeleted: database.prepare<[string]>(`UPDATE ${table} SET deleted_by = NULL WHERE deleted_by = ?`),
    countLive: database.prepare<[], number>(`SELECT count(*) FROM ${table} WHERE deleted_by IS NULL`).pluck(),
    countLiveOfUser: database
      .prepare<[string], number>(`SELECT count(*) FROM ${table} WHERE deleted_by IS NULL AND user_id = ?`)
      .pluck(),
    clear: database.prepare(`DELETE FROM ${table}`),
  };
}

type TableStatements = ReturnType<typeof prepareStatements>;

/** A call as it arrives: typed by the caller, but its contents came from a model. */
interface UntrustedCall {
  readonly name: unknown;
  readonly arguments: unknown;
}

function resolveLimits(overrides: Partial<ToolLimits> | undefined): ToolLimits {
  const limits = { ...DEFAULT_TOOL_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(
        `Expected tool limit \`${key}\` to be a whole number >= 1, got \`${String(value)}\` (${typeof value})`,
      );
    }
  }
  return Object.freeze(limits);
}

function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and a tool
    // call commits before its conversation is saved (with fsync) to the output file. A saved
    // conversation whose memory vanished would make later recalls contradict it. Tool calls are
    // a few per conversation, each behind seconds of model latency, so the extra fsync is free.
    database.pragma('synchronous = FULL');
    database.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    const version = database.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new NightshiftError(
        'TOOL_STORE_SCHEMA',
        `The tool database ${file} has schema version ${version}, newer than this nightshift (${SCHEMA_VERSION}). ` +
          'Update nightshift or start with --reset-tools on a new file.',
      );
    }
    database.transaction(() => {
      for (const table of Object.values(TABLES)) database.exec(schemaFor(table));
      database.exec(OPEN_CONVERSATIONS_SCHEMA);
      database.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

export class ToolStore {
  private readonly statements: Readonly<Record<EntryKind, TableStatements>>;
  private readonly openStatements: OpenStatements;
  private readonly repository: EntryRepository;
  private readonly executeInTransaction: (call: UntrustedCall, context: ToolContext) => ToolResult;
  private readonly rollbackInTransaction: (conversationIds: readonly string[]) => number;
  private readonly recoverInTransaction: (rollBack: readonly string[], confirm: readonly string[]) => number;

  private constructor(
    private readonly database: Database.Database,
    readonly limits: ToolLimits,
  ) {
    this.statements = {
      memory: prepareStatements(database, TABLES.memory),
      diary: prepareStatements(database, TABLES.diary),
    };
    this.openStatements = prepareOpenStatements(database);
    const statements = this.statements;
    const openStatements = this.openStatements;
    // Called inside the tool call's transaction, so a row never exists without its open mark.
    this.repository = {
      listLive: (kind, userId) => statements[kind].listLive.all(userId),
      insert: (kind, userId, content, conversationId) => {
        openStatements.open.run(conversationId);
        statements[kind].insert.run(userId, content, conversationId);
      },
      markDeleted: (kind, id, conversationId) => {
        openStatements.open.run(conversationId);
        statements[kind].markDeleted.run(conversationId, id);
      },
    };
    const execute = database.transaction((call: UntrustedCall, context: ToolContext) =>
      runTool(call, context, this.repository, this.limits),
    );
    // IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead of
    // failing with SQLITE_BUSY when a read transaction tries to become a write one.
    this.executeInTransaction = (call, context) => execute.immediate(call, context);
    const rollback = database.transaction((conversationIds: readonly string[]) => {
      let changed = 0;
      for (const conversationId of conversationIds) {
        for (const kind of KINDS) {
          // Remove first: a row this conversation created and deleted is gone, not restored.
          changed += statements[kind].removeCreated.run(conversationId).changes;
          changed += statements[kind].restoreDeleted.run(conversationId).changes;
        }
        openStatements.close.run(conversationId);
      }
      return changed;
    });
    this.rollbackInTransaction = (conversationIds) => rollback.immediate(conversationIds);
    const recover = database.transaction((rollBack: readonly string[], confirm: readonly string[]) => {
      for (const conversationId of confirm) openStatements.close.run(conversationId);
      return rollback(rollBack);
    });
    this.recoverInTransaction = (rollBack, confirm) => recover.immediate(rollBack, confirm);
  }

  /**
   * Opens (creating if needed) the database at `file`. Throws a `NightshiftError` when the file
   * cannot be opened or was written by a newer schema; a `ConfigError` for invalid limits.
   */
  static open(file: string, options: ToolStoreOptions = {}): ToolStore {
    const limits = resolveLimits(options.limits);
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new ConfigError(`Expected \`busyTimeoutMs\` to be a finite number >= 0, got \`${busyTimeoutMs}\``);
    }
    let database: Database.Database;
    try {
      database = openDatabase(file, busyTimeoutMs);
    } catch (error) {
      if (error instanceof NightshiftError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new NightshiftError('TOOL_STORE_UNAVAILABLE', `Cannot open the tool database ${file}: ${reason}`, {
        cause: error,
      });
    }
    return new ToolStore(database, limits);
  }

  /**
   * Runs one tool call in its own transaction. Bad input never throws: it gives `ok: false` and
   * a message for the model. Throws `NightshiftError` (`TOOL_STORE_FAILED`) only when the
   * database itself fails (disk full, closed store).
   */
  execute(call: { readonly name: string; readonly arguments: unknown }, context: ToolContext): ToolResult {
    const safeCall: UntrustedCall =
      typeof call === 'object' && call !== null
        ? { name: call.name, arguments: call.arguments }
        : { name: undefined, arguments: undefined };
    return this.guard('run a tool call', () => this.executeInTransaction(safeCall, context));
  }

  /**
   * Undoes everything one conversation did: removes its rows, restores rows it deleted, and closes
   * it. Returns the memory and diary rows changed.
   */
  rollbackConversation(conversationId: string): number {
    return this.guard('roll back a conversation', () => this.rollbackInTransaction([conversationId]));
  }

  /**
   * The conversation's line is durable in the output: it is no longer open, so no later start
   * rolls it back. Harmless for a conversation that is not open (never wrote, or rolled back).
   */
  markSaved(conversationId: string): void {
    this.guard('mark a conversation saved', () => {
      this.openStatements.close.run(conversationId);
    });
  }

  /**
   * On start, for each conversation still open (it wrote rows and was never marked saved): when
   * `isSaved` says the output holds it (the crash came between the fsync and `markSaved`) it is
   * closed; otherwise it is rolled back. Conversations that are not open are never touched, so a
   * changed or archived output cannot cost anyone their memories. One transaction.
   */
  recoverOpenConversations(isSaved: (conversationId: string) => boolean): OpenConversationRecovery {
    const open = this.guard('list open conversations', () => this.openStatements.list.all());
    if (open.length === 0) return { rolledBack: 0, confirmed: 0, rows: 0 };
    const confirm: string[] = [];
    const rollBack: string[] = [];
    for (const conversationId of open) (isSaved(conversationId) ? confirm : rollBack).push(conversationId);
    const rows = this.guard('recover open conversations', () => this.recoverInTransaction(rollBack, confirm));
    return { rolledBack: rollBack.length, confirmed: confirm.length, rows };
  }

  /** `--reset-tools`: empties every table. */
  reset(): void {
    this.guard('reset', () =>
      this.database.transaction(() => {
        for (const kind of KINDS) this.statements[kind].clear.run();
        this.openStatements.clear.run();
      }).immediate(),
    );
  }

  /** `PRAGMA integrity_check`: "ok" for a sound database, otherwise the problems, one per line. */
  integrityCheck(): string {
    return this.guard('check its integrity', () => {
      const rows = this.database.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((row) => row.integrity_check).join('\n');
    });
  }

  /** Live (not deleted) entries, for one user or for all. */
  counts(userId?: string): { memories: number; diary: number } {
    const live = (kind: EntryKind) =>
      userId === undefined
        ? this.statements[kind].countLive.get() ?? 0
        : this.statements[kind].countLiveOfUser.get(userId) ?? 0;
    return this.guard('count entries', () => ({ memories: live('memory'), diary: live('diary') }));
  }

  close(): void {
    if (this.database.open) this.database.close();
  }

  private guard<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `The tool database failed to ${action}: ${reason}`;
      throw new NightshiftError('TOOL_STORE_FAILED', message, { cause: error });
    }
  }
}
