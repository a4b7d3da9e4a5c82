/**
 * What each provider spent per calendar month, in `<data-dir>/monthly-spend.db` (SQLite, WAL).
 *
 * A request's reservation is a row of its own from before it is sent until it settles, when it is
 * replaced by the usage the provider reported (or by nothing: a refund). Rows left over by a run
 * that crashed are requests whose usage is unknown; they are counted as spent at their estimate
 * when the ledger is next opened, so a crash never gives budget back.
 *
 * `synchronous = NORMAL`: each commit is in the operating system's hands before the call returns,
 * so a crash or `kill -9` of the daemon loses nothing, and nothing blocks the event loop on an
 * fsync per request (better-sqlite3 is synchronous; two commits per request at full rate would
 * stall every other request). A power loss may forget the commits since the last checkpoint,
 * which `sync()` (every 30 s in a run) and SQLite's own checkpoints bound.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MonthlyBudgets, MonthlyLimit } from '../core/budget.js';
import { NightshiftError } from '../core/errors.js';
import type { ProviderName } from '../core/types.js';

export const LEDGER_FILE_NAME = 'monthly-spend.db';
const SCHEMA_VERSION = 1;
/** The scope of the overall limit in the `limits` table; provider names are the others. */
const OVERALL = '*';

export interface Spend {
  tokens: number;
  cost: number;
}

/** A budget found too small for the next request: it stays spent for the month unless it is raised. */
export interface SpentMark {
  /** The limit it was spent under. */
  readonly limit: MonthlyLimit;
  readonly reason: string;
}

export interface LeftoverReservations extends Spend {
  readonly requests: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS spend (
    month TEXT NOT NULL, provider TEXT NOT NULL, tokens INTEGER NOT NULL, cost REAL NOT NULL,
    PRIMARY KEY (month, provider)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS reservations (
    id INTEGER PRIMARY KEY, month TEXT NOT NULL, provider TEXT NOT NULL, tokens INTEGER NOT NULL, cost REAL NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS limits (scope TEXT PRIMARY KEY, tokens INTEGER, cost REAL) STRICT;
  CREATE TABLE IF NOT EXISTS spent_marks (
    month TEXT NOT NULL, scope TEXT NOT NULL, tokens INTEGER, cost REAL, reason TEXT NOT NULL,
    PRIMARY KEY (month, scope)
  ) STRICT;`;

export function ledgerPath(dataDirectory: string): string {
  return path.join(dataDirectory, LEDGER_FILE_NAME);
}

export class SpendLedger {
  readonly #database: Database.Database;
  readonly #statements;
  /** Runs once per request, so the transaction is built here once rather than at every call. */
  readonly #settle: (id: number, month: string, provider: ProviderName, spent: Spend) => void;

  private constructor(database: Database.Database) {
    this.#database = database;
    const statements = {
      spendOfMonth: database.prepare<[string], { provider: string; tokens: number; cost: number }>(
        'SELECT provider, tokens, cost FROM spend WHERE month = ?',
      ),
      reservedOfMonth: database.prepare<[string], { provider: string; tokens: number; cost: number }>(
        'SELECT provider, sum(tokens) AS tokens, sum(cost) AS cost FROM reservations WHERE month = ? GROUP BY provider',
      ),
      reserve: database.prepare<[string, string, number, number]>('INSERT INTO reservations (month, provider, tokens, cost) VALUES (?, ?, ?, ?)'),
      release: database.prepare<[number]>('DELETE FROM reservations WHERE id = ?'),
      addSpend: database.prepare<[string, string, number, number]>(
        `INSERT INTO spend (month, provider, tokens, cost) VALUES (?, ?, ?, ?)
         ON CONFLICT (month, provider) DO UPDATE SET tokens = tokens + excluded.tokens, cost = cost + excluded.cost`,
      ),
      limits: database.prepare<[], { scope: string; tokens: number | null; cost: number | null }>('SELECT scope, tokens, cost FROM limits'),
      clearLimits: database.prepare('DELETE FROM limits'),
      addLimit: database.prepare<[string, number | null, number | null]>('INSERT INTO limits (scope, tokens, cost) VALUES (?, ?, ?)'),
      markSpent: database.prepare<[string, string, number | null, number | null, string]>(
        'INSERT OR REPLACE INTO spent_marks (month, scope, tokens, cost, reason) VALUES (?, ?, ?, ?, ?)',
      ),
      spentMarks: database.prepare<[string], { scope: string; tokens: number | null; cost: number | null; reason: string }>(
        'SELECT scope, tokens, cost, reason FROM spent_marks WHERE month = ?',
      ),
    };
    this.#statements = statements;
    this.#settle = database.transaction((id: number, month: string, provider: ProviderName, spent: Spend) => {
      statements.release.run(id);
      if (spent.tokens > 0 || spent.cost > 0) statements.addSpend.run(month, provider, spent.tokens, spent.cost);
    });
  }

  /** Opens (creating) the daemon's ledger and counts leftover reservations as spent. */
  static open(file: string): { ledger: SpendLedger; leftover: LeftoverReservations } {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const database = new Database(file);
    try {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 5000');
      checkVersion(database, file);
      database.exec(SCHEMA);
      database.pragma(`user_version = ${SCHEMA_VERSION}`);
      const ledger = new SpendLedger(database);
      return { ledger, leftover: ledger.#foldLeftovers() };
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** For `status`: reads only, creates nothing; undefined when no run ever recorded spend here. */
  static openReadOnly(file: string): SpendLedger | undefined {
    if (!fs.existsSync(file)) return undefined;
    const database = new Database(file, { readonly: true, fileMustExist: true });
    try {
      checkVersion(database, file);
      return new SpendLedger(database);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** Settled spend per provider in `month`. */
  spent(month: string): Map<string, Spend> {
    return toMap(this.#statements.spendOfMonth.all(month));
  }

  /** Reserved by requests in flight (or left by a run that is still going), per provider. */
  reserved(month: string): Map<string, Spend> {
    return toMap(this.#statements.reservedOfMonth.all(month));
  }

  reserve(month: string, provider: ProviderName, spend: Spend): number {
    return Number(this.#statements.reserve.run(month, provider, spend.tokens, spend.cost).lastInsertRowid);
  }

  /** Replaces the reservation by what was really spent (zero for a refund), in one transaction. */
  settle(id: number, month: string, provider: ProviderName, spent: Spend): void {
    this.#settle(id, month, provider, spent);
  }

  /** The budgets of the last run that started here, so `status` can say what is left without the configuration. */
  writeLimits(budgets: MonthlyBudgets): void {
    this.#database.transaction(() => {
      this.#statements.clearLimits.run();
      const rows: [string, MonthlyLimit][] = [[OVERALL, budgets.overall], ...(Object.entries(budgets.providers) as [string, MonthlyLimit][])];
      for (const [scope, limit] of rows) {
        if (limit.tokens !== undefined || limit.costUsd !== undefined) this.#statements.addLimit.run(scope, limit.tokens ?? null, limit.costUsd ?? null);
      }
    })();
  }

  readLimits(): MonthlyBudgets {
    const providers: Partial<Record<ProviderName, MonthlyLimit>> = {};
    let overall: MonthlyLimit = {};
    for (const row of this.#statements.limits.all()) {
      if (row.scope === OVERALL) overall = toLimit(row);
      else providers[row.scope as ProviderName] = toLimit(row);
    }
    return { overall, providers };
  }

  /** Records that a budget (`provider` name, or undefined for the overall one) had no room left this month. */
  markSpent(month: string, provider: ProviderName | undefined, limit: MonthlyLimit, reason: string): void {
    this.#statements.markSpent.run(month, provider ?? OVERALL, limit.tokens ?? null, limit.costUsd ?? null, reason);
  }

  /** The budgets found spent in `month`, keyed by provider name, the overall one under `overall`. */
  spentMarks(month: string): Map<string, SpentMark> {
    return new Map(
      this.#statements.spentMarks.all(month).map((row) => [row.scope === OVERALL ? 'overall' : row.scope, { limit: toLimit(row), reason: row.reason }]),
    );
  }

  /** Makes every commit so far durable against a power loss too (a WAL checkpoint syncs the files). */
  sync(): void {
    this.#database.pragma('wal_checkpoint(PASSIVE)');
  }

  close(): void {
    if (this.#database.open) this.#database.close();
  }

  #foldLeftovers(): LeftoverReservations {
    const leftover = this.#database
      .prepare<[], { requests: number; tokens: number | null; cost: number | null }>(
        'SELECT count(*) AS requests, sum(tokens) AS tokens, sum(cost) AS cost FROM reservations',
      )
      .get()!;
    if (leftover.requests > 0) {
      this.#database.transaction(() => {
        this.#database.exec(`INSERT INTO spend (month, provider, tokens, cost)
          SELECT month, provider, sum(tokens), sum(cost) FROM reservations WHERE true GROUP BY month, provider
          ON CONFLICT (month, provider) DO UPDATE SET tokens = tokens + excluded.tokens, cost = cost + excluded.cost`);
        this.#database.exec('DELETE FROM reservations');
      })();
    }
    return { requests: leftover.requests, tokens: leftover.tokens ?? 0, cost: leftover.cost ?? 0 };
  }
}

function checkVersion(database: Database.Database, file: string): void {
  const version = database.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new NightshiftError(
      'LEDGER_TOO_NEW',
      `${file} was written by a newer nightshift (schema ${version}, this one reads ${SCHEMA_VERSION}). Update nightshift, or move the file away to start counting afresh.`,
    );
  }
}

/** A recorded verdict, unless the budget was raised (or removed) since: then it has room again. */
export function markedReason(mark: SpentMark | undefined, limit: MonthlyLimit): string | undefined {
  if (mark === undefined || (limit.tokens === undefined && limit.costUsd === undefined)) return undefined;
  const notRaised = (now: number | undefined, then: number | undefined) => (now ?? Infinity) <= (then ?? Infinity);
  return notRaised(limit.tokens, mark.limit.tokens) && notRaised(limit.costUsd, mark.limit.costUsd) ? mark.reason : undefined;
}

function toLimit(row: { tokens: number | null; cost: number | null }): MonthlyLimit {
  return { ...(row.tokens === null ? {} : { tokens: row.tokens }), ...(row.cost === null ? {} : { costUsd: row.cost }) };
}

function toMap(rows: readonly { provider: string; tokens: number; cost: number }[]): Map<string, Spend> {
  return new Map(rows.map((row) => [row.provider, { tokens: row.tokens, cost: row.cost }]));
}
