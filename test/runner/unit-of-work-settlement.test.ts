import { appendFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { OpenedPipeline } from '../../src/pipelines/contract.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ConversationRunner } from '../../src/runner/conversation-runner.js';
import { RunStats } from '../../src/stats/index.js';
import { ConversationStore } from '../../src/store/index.js';
import { createEchoPipeline, type EchoSettlements } from '../fixtures/pipelines/echo/echo-pipeline.js';
import { useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * The runner alone settles a unit of work: commit after the fsync, rollback when the line was not
 * written. The real dispatcher, SDK and store, the emulator over HTTP, the echo test pipeline.
 */
const fixture = useEchoRunnerFixture(4);

async function openEcho(): Promise<{ opened: OpenedPipeline; settlements: EchoSettlements }> {
  const echo = createEchoPipeline();
  const prepared = echo.pipeline.prepare({ phrase: 'hello' }, { cwd: fixture.workspace(), seed: 1, dryRun: true });
  const opened = await prepared.open({ dataDir: fixture.workspace(), logger: pino({ level: 'silent' }), alreadySaved: 0, isSaved: () => false });
  return { opened, settlements: echo.settlements };
}

function runnerFor(pipeline: Pick<OpenedPipeline, 'run' | 'capacity'>, store: ConversationStore, stats: RunStats, ids: readonly string[]) {
  const dispatcher = new Dispatcher({
    providers: [
      {
        provider: createProvider('together', { apiKey: 'settle-key-1234', baseUrl: fixture.emulator().baseUrls.together }),
        models: { echo: 'offline-echo' },
        requestsPerSecond: 50,
      },
    ],
  });
  let next = 0;
  const runner = new ConversationRunner({
    target: 2,
    store,
    pipeline,
    dispatcher,
    stats,
    logger: pino({ level: 'silent' }),
    concurrency: 1,
    newId: () => ids[next++] ?? `spare-${next}`,
  });
  return { runner, dispatcher };
}

describe('the runner settles each unit of work once', () => {
  it('a conversation whose id the output already holds is rolled back and counted as a discard; the others are committed', async () => {
    const output = path.join(fixture.workspace(), 'trainingData/conversations.jsonl');
    appendFileSync(output, `${JSON.stringify({ id: 'taken', conversations: [], metadata: {} })}\n`);
    const { store } = await ConversationStore.open(output);
    const stats = new RunStats({ target: 2, alreadySaved: store.count });
    const { opened, settlements } = await openEcho();
    const { runner, dispatcher } = runnerFor(opened, store, stats, ['taken', 'fresh']);
    try {
      expect(await runner.run()).toEqual({ kind: 'target_reached' });
    } finally {
      dispatcher.close();
      await store.close();
    }
    expect(settlements.rolledBack).toEqual(['taken']);
    expect(settlements.committed).toEqual(['fresh']);
    const record = stats.snapshot();
    expect(record.discarded).toEqual({ invalid_output: 1 });
    expect(record.savedThisRun).toBe(1);
  });

  it('a commit that fails stops the run: the storage behind the side effects is broken', async () => {
    const { store } = await ConversationStore.open(path.join(fixture.workspace(), 'trainingData/conversations.jsonl'));
    const stats = new RunStats({ target: 2, alreadySaved: 0 });
    const { opened } = await openEcho();
    const failing: Pick<OpenedPipeline, 'run'> = {
      run: async (context) => {
        const unit = await opened.run(context);
        return {
          ...unit,
          commit: () => {
            throw new Error('disk I/O error');
          },
        };
      },
    };
    const { runner, dispatcher } = runnerFor(failing, store, stats, ['one', 'two']);
    try {
      const outcome = await runner.run();
      expect(outcome).toEqual({ kind: 'failed', reason: "could not commit a conversation's side effects: disk I/O error" });
    } finally {
      dispatcher.close();
      await store.close();
    }
    expect(store.count).toBe(1);
  });
});
