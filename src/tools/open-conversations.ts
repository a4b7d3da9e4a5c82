/**
 * Conversations that wrote tool rows and are not yet known to be saved. A row here is the only
 * licence a start-up recovery has to undo a conversation: see `ToolStore.recoverOpenConversations`.
 */
import type Database from 'better-sqlite3';

export const OPEN_CONVERSATIONS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS open_conversations (
    conversation_id TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL
  ) STRICT;`;

export function prepareOpenStatements(database: Database.Database) {
  return {
    open: database.prepare<[string]>(
      `INSERT OR IGNORE INTO open_conversations (conversation_id, opened_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
    ),
    close: database.prepare<[string]>(`DELETE FROM open_conversations WHERE conversation_id = ?`),
    list: database
      .prepare<[], string>(`SELECT conversation_id FROM open_conversations ORDER BY opened_at, conversation_id`)
      .pluck(),
    clear: database.prepare(`DELETE FROM open_conversations`),
  };
}

export type OpenStatements = ReturnType<typeof prepareOpenStatements>;

/** What `recoverOpenConversations` did, in conversations (and rows changed by the rollbacks). */
export interface OpenConversationRecovery {
  /** Open conversations not in the output: their inserts removed, their deletions undone. */
  readonly rolledBack: number;
  /** Open conversations the output holds (a crash between the fsync and `markSaved`): now closed. */
  readonly confirmed: number;
  /** Memory and diary rows the rollbacks removed or restored. */
  readonly rows: number;
}
