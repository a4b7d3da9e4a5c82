import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ToolContext } from '../../src/tools/tool-definitions.js';
import { ToolStore } from '../../src/tools/tool-store.js';

let directory: string;
let file: string;
let store: ToolStore;

const ALICE_1: ToolContext = { userId: 'alice', conversationId: 'alice-1' };
const ALICE_2: ToolContext = { userId: 'alice', conversationId: 'alice-2' };
const BOB_1: ToolContext = { userId: 'bob', conversationId: 'bob-1' };

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
  file = path.join(directory, 'tools', 'tools.sqlite');
  store = ToolStore.open(file);
});

afterEach(() => {
  store.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function run(context: ToolContext, name: string, args: unknown = {}) {
  return store.execute({ name, arguments: args }, context);
}

function recall(context: ToolContext, name = 'recall_memories'): string {
  return run(context, name).content;
}

describe('memories and diary', () => {
  it('add then recall lists entries numbered from 1 in insertion order', () => {
    expect(run(ALICE_1, 'recall_memories')).toEqual({ name: 'recall_memories', ok: true, content: 'No memories saved yet.' });
    expect(run(ALICE_1, 'add_memory', { input_text: ['User likes jazz', 'User has a cat'] })).toEqual({
      name: 'add_memory',
      ok: true,
      content: 'Saved 2 memories (numbers 1 and 2).',
    });
    expect(run(ALICE_1, 'add_memory', { input_text: ['User lives in Lyon'] }).content).toBe('Saved 1 memory (number 3).');
    expect(recall(ALICE_1)).toBe('Memories:\n1. User likes jazz\n2. User has a cat\n3. User lives in Lyon');
  });

  it('the diary is separate from memories and speaks of diary entries', () => {
    expect(recall(ALICE_1, 'recall_diary')).toBe('No diary entries yet.');
    expect(run(ALICE_1, 'add_diary', { input_text: ['Talked about jazz today.'] }).content).toBe(
      'Saved 1 diary entry (number 1).',
    );
    expect(recall(ALICE_1, 'recall_diary')).toBe('Diary entries:\n1. Talked about jazz today.');
    expect(recall(ALICE_1)).toBe('No memories saved yet.');
    expect(run(ALICE_1, 'delete_diary', { indices: [1] }).content).toBe('Deleted diary entry 1 ("Talked about jazz today.").');
    expect(store.counts('alice')).toEqual({ memories: 0, diary: 0 });
  });

  it('each simulated user sees only their own rows', () => {
    run(ALICE_1, 'add_memory', { input_text: ['Alice likes jazz'] });
    run(BOB_1, 'add_memory', { input_text: ['Bob likes metal'] });
    expect(recall(ALICE_1)).toBe('Memories:\n1. Alice likes jazz');
    expect(recall(BOB_1)).toBe('Memories:\n1. Bob likes metal');
    expect(run(BOB_1, 'delete_memory', { indices: [1] }).ok).toBe(true);
    expect(recall(ALICE_1)).toBe('Memories:\n1. Alice likes jazz');
    expect(store.counts()).toEqual({ memories: 1, diary: 0 });
    expect(store.counts('bob')).toEqual({ memories: 0, diary: 0 });
  });

  it("memories persist across two conversations of the same user and across close and reopen", () => {
    run(ALICE_1, 'add_memory', { input_text: ['User likes jazz'] });
    expect(recall(ALICE_2)).toBe('Memories:\n1. User likes jazz');
    store.close();
    store = ToolStore.open(file);
    run(ALICE_2, 'add_memory', { input_text: ['User has a cat'] });
    expect(recall({ userId: 'alice', conversationId: 'alice-3' })).toBe('Memories:\n1. User likes jazz\n2. User has a cat');
  });

  it('deleting uses the numbers recall shows, all referring to the list before the call', () => {
    run(ALICE_1, 'add_memory', { input_text: ['a', 'b', 'c', 'd'] });
    expect(run(ALICE_1, 'delete_memory', { indices: [3, 1] }).content).toBe(
      'Deleted 2 memories: 3 ("c"), 1 ("a"). The remaining memories are renumbered; recall_memories shows the new numbers.',
    );
    expect(recall(ALICE_1)).toBe('Memories:\n1. b\n2. d');
    expect(run(ALICE_1, 'delete_memory', { indices: [2] }).content).toBe('Deleted memory 2 ("d").');
    expect(recall(ALICE_1)).toBe('Memories:\n1. b');
  });

  it('numbers given as text and a lone string entry are accepted', () => {
    expect(run(ALICE_1, 'add_memory', { input_text: 'User likes jazz' }).content).toBe('Saved 1 memory (number 1).');
    run(ALICE_1, 'add_memory', { input_text: ['second'] });
    expect(run(ALICE_1, 'delete_memory', { indices: ['2'] }).content).toBe('Deleted memory 2 ("second").');
    expect(run(ALICE_1, 'delete_memory', { indices: 1 }).ok).toBe(true);
    expect(recall(ALICE_1)).toBe('No memories saved yet.');
  });
});

describe('rollback', () => {
  it('rollbackConversation removes what the conversation added and restores what it deleted', () => {
    run(ALICE_1, 'add_memory', { input_text: ['kept', 'deleted later'] });
    run(ALICE_2, 'add_memory', { input_text: ['added by the discarded one'] });
    run(ALICE_2, 'delete_memory', { indices: [2] });
    run(ALICE_2, 'add_diary', { input_text: ['diary of the discarded one'] });
    expect(recall(ALICE_2)).toBe('Memories:\n1. kept\n2. added by the discarded one');
    expect(store.rollbackConversation('alice-2')).toBe(3);
    expect(recall(ALICE_1)).toBe('Memories:\n1. kept\n2. deleted later');
    expect(recall(ALICE_1, 'recall_diary')).toBe('No diary entries yet.');
    expect(store.rollbackConversation('alice-2')).toBe(0);
  });

  it('a row a conversation both added and deleted is simply gone after its rollback', () => {
    run(ALICE_1, 'add_memory', { input_text: ['fleeting'] });
    run(ALICE_1, 'delete_memory', { indices: [1] });
    expect(store.rollbackConversation('alice-1')).toBe(1);
    expect(store.counts()).toEqual({ memories: 0, diary: 0 });
  });

  it('reset empties every table for every user', () => {
    run(ALICE_1, 'add_memory', { input_text: ['x'] });
    run(BOB_1, 'add_diary', { input_text: ['y'] });
    store.reset();
    expect(store.counts()).toEqual({ memories: 0, diary: 0 });
    expect(recall(ALICE_1)).toBe('No memories saved yet.');
    const asked: string[] = [];
    store.recoverOpenConversations((conversationId) => asked.push(conversationId) > 0);
    expect(asked).toEqual([]);
  });
});

describe('start-up recovery of open conversations', () => {
  const CAROL_1: ToolContext = { userId: 'carol', conversationId: 'carol-1' };

  it('rolls back exactly the open conversations the output lacks, confirms the ones it holds, and never asks about saved ones', () => {
    run(ALICE_1, 'add_memory', { input_text: ['saved fact'] });
    store.markSaved('alice-1');
    run(BOB_1, 'add_diary', { input_text: ['unsaved diary'] });
    run(ALICE_2, 'delete_memory', { indices: [1] });
    run(ALICE_2, 'add_memory', { input_text: ['unsaved fact'] });
    // Crashed after its line was fsynced but before markSaved: the output holds it.
    run(CAROL_1, 'add_memory', { input_text: ['carol fact'] });
    store.close();
    store = ToolStore.open(file);

    // The output today holds only carol-1 (another --output): alice-1 must survive all the same.
    const asked: string[] = [];
    const recovery = store.recoverOpenConversations((conversationId) => {
      asked.push(conversationId);
      return conversationId === 'carol-1';
    });
    expect(recovery).toEqual({ rolledBack: 2, confirmed: 1, rows: 3 });
    expect(asked.sort()).toEqual(['alice-2', 'bob-1', 'carol-1']);
    expect(recall(ALICE_1)).toBe('Memories:\n1. saved fact');
    expect(recall(BOB_1, 'recall_diary')).toBe('No diary entries yet.');
    expect(recall(CAROL_1)).toBe('Memories:\n1. carol fact');
    // Nothing is open any more: a later start with an output that holds nothing touches nothing.
    expect(store.recoverOpenConversations(() => false)).toEqual({ rolledBack: 0, confirmed: 0, rows: 0 });
    expect(store.counts()).toEqual({ memories: 2, diary: 0 });
  });

  it('a conversation marked saved keeps its rows even when no output holds it any more', () => {
    run(ALICE_1, 'add_memory', { input_text: ['User likes jazz'] });
    run(ALICE_1, 'add_diary', { input_text: ['Talked about jazz.'] });
    store.markSaved('alice-1');
    run(ALICE_2, 'delete_memory', { indices: [1] });
    store.markSaved('alice-2');
    store.close();
    store = ToolStore.open(file);
    expect(store.recoverOpenConversations(() => false)).toEqual({ rolledBack: 0, confirmed: 0, rows: 0 });
    expect(recall(ALICE_1)).toBe('No memories saved yet.');
    expect(recall(ALICE_1, 'recall_diary')).toBe('Diary entries:\n1. Talked about jazz.');
  });

  it('a conversation that only recalled is never open, and markSaved of an unknown id is harmless', () => {
    run(ALICE_1, 'add_memory', { input_text: ['x'] });
    store.markSaved('alice-1');
    expect(run(ALICE_2, 'recall_memories').ok).toBe(true);
    expect(run(ALICE_2, 'delete_memory', { indices: [7] }).ok).toBe(false);
    expect(() => store.markSaved('never-ran')).not.toThrow();
    const asked: string[] = [];
    store.recoverOpenConversations((conversationId) => asked.push(conversationId) > 0);
    expect(asked).toEqual([]);
  });

  it('rollbackConversation closes the conversation, and markSaved after the rollback changes nothing', () => {
    run(ALICE_1, 'add_memory', { input_text: ['kept'] });
    store.markSaved('alice-1');
    run(ALICE_2, 'add_memory', { input_text: ['discarded'] });
    expect(store.rollbackConversation('alice-2')).toBe(1);
    store.markSaved('alice-2');
    const asked: string[] = [];
    expect(store.recoverOpenConversations((conversationId) => asked.push(conversationId) < 0)).toEqual({
      rolledBack: 0,
      confirmed: 0,
      rows: 0,
    });
    expect(asked).toEqual([]);
    expect(recall(ALICE_1)).toBe('Memories:\n1. kept');
  });

  it('a version-1 database gains the open table on open; its rows, with no open marks, are never rolled back', () => {
    store.close();
    const legacyFile = path.join(directory, 'legacy.sqlite');
    const legacy = new Database(legacyFile);
    legacy.exec(`
      CREATE TABLE memories (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, content TEXT NOT NULL, created_by TEXT NOT NULL, deleted_by TEXT) STRICT;
      CREATE TABLE diary_entries (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, content TEXT NOT NULL, created_by TEXT NOT NULL, deleted_by TEXT) STRICT;
      INSERT INTO memories (user_id, content, created_by) VALUES ('alice', 'from version 1', 'old-conversation');
      PRAGMA user_version = 1;`);
    legacy.close();
    store = ToolStore.open(legacyFile);
    expect(store.recoverOpenConversations(() => false)).toEqual({ rolledBack: 0, confirmed: 0, rows: 0 });
    expect(recall(ALICE_1)).toBe('Memories:\n1. from version 1');
    run(ALICE_2, 'add_memory', { input_text: ['new'] });
    expect(store.recoverOpenConversations(() => false)).toEqual({ rolledBack: 1, confirmed: 0, rows: 1 });
    store.close();
    const inspector = new Database(legacyFile, { readonly: true });
    try {
      expect(inspector.pragma('user_version', { simple: true })).toBe(2);
    } finally {
      inspector.close();
    }
    store = ToolStore.open(legacyFile);
  });
});

describe('the database file', () => {
  it('is in WAL mode, has indexes on the queried columns and passes integrity_check', () => {
    run(ALICE_1, 'add_memory', { input_text: ['x'] });
    expect(store.integrityCheck()).toBe('ok');
    const inspector = new Database(file, { readonly: true });
    try {
      expect(inspector.pragma('journal_mode', { simple: true })).toBe('wal');
      const indexes = inspector
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memories' ORDER BY name")
        .pluck()
        .all();
      expect(indexes).toEqual(['memories_created_by', 'memories_deleted_by', 'memories_live']);
      const plan = inspector
        .prepare('EXPLAIN QUERY PLAN SELECT id, content FROM memories WHERE user_id = ? AND deleted_by IS NULL ORDER BY id')
        .all('alice') as { detail: string }[];
      expect(plan.map((row) => row.detail).join(' ')).toContain('memories_live');
    } finally {
      inspector.close();
    }
  });

  it('a file written by a newer schema is refused with a clear error', () => {
    store.close();
    const database = new Database(file);
    database.pragma('user_version = 99');
    database.close();
    expect(() => ToolStore.open(file)).toThrow(/schema version 99/);
    store = ToolStore.open(path.join(directory, 'other.sqlite'));
  });

  it('invalid limits are a configuration error', () => {
    expect(() => ToolStore.open(path.join(directory, 'x.sqlite'), { limits: { maxEntryLength: 0 } })).toThrow(
      /Expected tool limit `maxEntryLength` to be a whole number >= 1, got `0`/,
    );
  });

  it('a path that cannot be a database gives a NightshiftError naming the file', () => {
    expect(() => ToolStore.open(directory)).toThrow(expect.objectContaining({ code: 'TOOL_STORE_UNAVAILABLE' }));
  });

  it('using a closed store is a database failure, not a crash with a raw SQLite error', () => {
    store.close();
    expect(() => run(ALICE_1, 'recall_memories')).toThrow(expect.objectContaining({ code: 'TOOL_STORE_FAILED' }));
  });
});

describe('two connections to one file', () => {
  it("see each other's writes and rollbacks (WAL readers never block the writer)", () => {
    const second = ToolStore.open(file);
    try {
      run(ALICE_1, 'add_memory', { input_text: ['from the first'] });
      expect(second.execute({ name: 'recall_memories', arguments: {} }, ALICE_2).content).toBe('Memories:\n1. from the first');
      second.execute({ name: 'add_memory', arguments: { input_text: ['from the second'] } }, ALICE_2);
      expect(store.rollbackConversation('alice-2')).toBe(1);
      expect(second.counts('alice')).toEqual({ memories: 1, diary: 0 });
    } finally {
      second.close();
    }
  });
});
