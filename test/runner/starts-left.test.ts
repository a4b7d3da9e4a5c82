import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConversationDiscarded } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { OpenedPipeline } from '../../src/pipelines/contract.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ConversationRunner } from '../../src/runner/conversation-runner.js';
import { RunStats } from '../../src/stats/index.js';
import { ConversationStore } from '../../src/store/index.js';
import { createEchoPipeline } from '../fixtures/pipelines/echo/echo-pipeline.js';
import { useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * Each conversation is told how many the run expects to start after it (PipelineContext.startsLeft),
 * so a pipeline can keep its shortest work for the end. Real dispatcher, SDK, emulator and store;
 * the echo test pipeline, every fourth conversation discarded.
 */
const fixture = useEchoRunnerFixture(5);

describe('the starts a run still expects', () => {
  it('count down to 0 with the target, and grow by the share of conversations that did not count', async () => {
    const target = 24;
    const { store } = await ConversationStore.open(path.join(fixture.workspace(), 'trainingData/conversations.jsonl'));
    const echo = createEchoPipeline();
    const opened = await echo.pipeline
      .prepare({ phrase: 'hello' }, { cwd: fixture.workspace(), seed: 1, dryRun: true })
      .open({ dataDir: fixture.workspace(), logger: pino({ level: 'silent' }), alreadySaved: 0, isSaved: () => false });
    const starts: { startsLeft: number | undefined; needed: number }[] = [];
    const pipeline: Pick<OpenedPipeline, 'run'> = {
      run: async (context) => {
        starts.push({ startsLeft: context.startsLeft, needed: target - store.count });
        if (starts.length % 4 === 0) throw new ConversationDiscarded('invalid_output', 'every fourth one fails here');
        return opened.run(context);
      },
    };
    const dispatcher = new Dispatcher({
      providers: [{ provider: createProvider('together', { apiKey: 'starts-key-1234', baseUrl: fixture.emulator().baseUrls.together }), models: { echo: 'offline-echo' }, requestsPerSecond: 200 }],
    });
    const runner = new ConversationRunner({
      target,
      store,
      pipeline,
      dispatcher,
      stats: new RunStats({ target, alreadySaved: 0 }),
      logger: pino({ level: 'silent' }),
      concurrency: 1,
    });
    try {
      expect(await runner.run()).toEqual({ kind: 'target_reached' });
    } finally {
      dispatcher.close();
      await store.close();
      opened.close();
    }
    // 24 saved and 7 discarded (every fourth start up to the 28th).
    expect(starts).toHaveLength(31);
    // One at a time: before ten have ended no failure share is believed, so it is what the target needs less this one.
    expect(starts.slice(0, 10).map((start) => start.startsLeft)).toEqual(starts.slice(0, 10).map((start) => start.needed - 1));
    // Then the share of those ended that failed scales up what is needed: the k-th start follows k - 1 ended.
    starts.slice(10).forEach((start, index) => {
      const ended = index + 10;
      const failedShare = Math.floor(ended / 4) / ended;
      expect(start.startsLeft).toBe(Math.max(0, Math.round(start.needed / (1 - failedShare) - 1)));
    });
    expect(starts[20]?.startsLeft).toBeGreaterThan((starts[20]?.needed ?? 0) - 1);
    expect(starts.at(-1)?.startsLeft).toBe(0);
  });
});
