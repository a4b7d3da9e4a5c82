/** What the whole-conversation tests share: an emulator, a tool store in a temp dir, a pipeline. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import type { SavedConversation } from '../../../src/format/index.js';
import type { PipelineContext } from '../../../src/pipelines/contract.js';
import {
  createAdaConversations,
  generateSimulatedUsers,
  loadPrompts,
  UserPool,
  type AdaConversationOptions,
  type AdaConversations,
  type SimulatedUser,
} from '../../../src/pipelines/ada/index.js';
import type { ToolCallRecord } from '../../../src/format/index.js';
import { ToolStore } from '../../../src/tools/index.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/**
 * One emulator for a whole test file (`configure` tunes it once started), and `afterEachTest` after
 * every test (closing the fixture it opened). Call at the top of the file; the getter is valid
 * inside tests.
 */
export function useSharedEmulator(seed: number, afterEachTest: () => void, configure?: (emulator: Emulator) => void): () => Emulator {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ seed });
    configure?.(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  afterEach(afterEachTest);
  return () => emulator as Emulator;
}

export const PROMPTS = loadPrompts(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemprompts'));

export interface PipelineFixture {
  /** Runs a conversation and commits it, as the runner does once its line is fsynced. */
  readonly pipeline: { run(context: PipelineContext): Promise<SavedConversation> };
  /** The units of work themselves, for tests of what commit and rollback do. */
  readonly conversations: AdaConversations;
  readonly store: ToolStore;
  readonly databasePath: string;
  readonly pool: UserPool;
  readonly users: readonly SimulatedUser[];
  close(): void;
}

export function createPipelineFixture(options: Partial<AdaConversationOptions> & { users?: number } = {}): PipelineFixture {
  const directory = makeTempDir();
  const databasePath = path.join(directory.path, 'tools.db');
  const store = ToolStore.open(databasePath);
  const users = generateSimulatedUsers(options.users ?? 1, 1);
  const pool = new UserPool(users, createRandom(1));
  const conversations = createAdaConversations({
    prompts: PROMPTS,
    toolStore: store,
    userPool: pool,
    random: createRandom(11),
    turns: { min: 2, max: 2 },
    ...options,
  });
  return {
    pipeline: {
      run: async (context) => {
        const unit = await conversations.run(context);
        unit.commit();
        return unit.conversation;
      },
    },
    conversations,
    store,
    databasePath,
    pool,
    users,
    close: () => {
      store.close();
      directory.cleanup();
    },
  };
}

export function toolCallsOf(saved: SavedConversation): ToolCallRecord[] {
  return saved.metadata.toolCalls as ToolCallRecord[];
}

export function simulatedUserOf(saved: SavedConversation): SimulatedUser {
  return saved.metadata.simulatedUser as SimulatedUser;
}

export interface StoredRow {
  readonly table: 'memories' | 'diary_entries';
  readonly userId: string;
  readonly content: string;
  readonly createdBy: string;
  readonly deletedBy: string | null;
}

/**
 * Every row a conversation wrote or deleted, read straight from the SQLite file with a separate
 * read-only connection (the tools module's schema: `memories`, `diary_entries`).
 */
export function rowsTouchedBy(databasePath: string, conversationId: string): StoredRow[] {
  const database = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return (['memories', 'diary_entries'] as const).flatMap((table) =>
      database
        .prepare<[string, string], { userId: string; content: string; createdBy: string; deletedBy: string | null }>(
          `SELECT user_id AS userId, content, created_by AS createdBy, deleted_by AS deletedBy FROM ${table}
           WHERE created_by = ? OR deleted_by = ? ORDER BY id`,
        )
        .all(conversationId, conversationId)
        .map((row) => ({ table, ...row })),
    );
  } finally {
    database.close();
  }
}
