import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/index.js';
import type { OpenedPipeline, UnitOfWork } from '../../src/pipelines/contract.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { ConversationRunner } from '../../src/runner/conversation-runner.js';
import { RunStats } from '../../src/stats/index.js';
import { openEchoRun, useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * A drain (Ctrl+C, SIGTERM, a spent budget) serves the conversations in flight oldest first, so
 * they finish one after another instead of all together at the end: what a grace period that ends
 * first can save. The real dispatcher, SDK and store, the emulator over HTTP, the echo test
 * pipeline with four more requests before its echo.
 */
const fixture = useEchoRunnerFixture(12);

const IN_FLIGHT = 12;
const REQUESTS_PER_CONVERSATION = 5;

describe('a drain', () => {
  it('finishes the conversations in flight oldest first, one after another', async () => {
    const { output, store, opened } = await openEchoRun(fixture.workspace());
    let answered = 0;
    /** For each conversation, in the order they finished: its id and the requests answered by then, all conversations'. */
    const finished: { readonly id: string; readonly answeredBy: number }[] = [];
    let runner: ConversationRunner | undefined;
    let opens = 0;
    const pipeline: Pick<OpenedPipeline, 'run'> = {
      run: async (context): Promise<UnitOfWork> => {
        opens += 1;
        // Every conversation is open (each with its first request queued): stop opening, as a Ctrl+C does.
        if (opens === IN_FLIGHT) runner?.drain('test drain');
        for (let request = 1; request < REQUESTS_PER_CONVERSATION; request++) {
          await context.requester.complete({ role: 'echo', messages: [{ role: 'user', content: `step ${request}` }], maxTokens: 20, signal: context.signal });
          answered += 1;
        }
        const unit = await opened.run(context);
        answered += 1;
        finished.push({ id: context.conversationId, answeredBy: answered });
        return unit;
      },
    };
    // 20 requests/s against replies in about 20 ms: requests queue at the pace, as on a real night.
    const dispatcher = new Dispatcher({
      providers: [{ provider: createProvider('together', { apiKey: 'drain-key-1234', baseUrl: fixture.emulator().baseUrls.together }), models: { echo: 'offline-echo' }, requestsPerSecond: 20 }],
    });
    let next = 0;
    runner = new ConversationRunner({
      target: 100,
      store,
      pipeline,
      dispatcher,
      stats: new RunStats({ target: 100, alreadySaved: 0 }),
      rejects: { append: async () => undefined },
      logger: pino({ level: 'silent' }),
      concurrency: IN_FLIGHT,
      newId: () => `conversation-${++next}`,
    });
    try {
      expect(await runner.run()).toEqual({ kind: 'drained', reason: 'test drain' });
    } finally {
      dispatcher.close();
      await store.close();
      opened.close();
    }

    const saved = readFileSync(output, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(saved).toHaveLength(IN_FLIGHT);
    // Oldest first: the first half to finish were opened in the first two thirds (exactly in order
    // on a quiet machine; a reply that comes back late lets a younger one take a start meanwhile).
    const opening = (id: string) => Number(id.replace('conversation-', ''));
    for (const entry of finished.slice(0, IN_FLIGHT / 2)) expect(opening(entry.id), entry.id).toBeLessThanOrEqual((IN_FLIGHT * 2) / 3);
    // The k-th to finish needed its own five requests and the older ones' before it, plus the first
    // requests that had gone out before the drain began, and one conversation's worth of slack for
    // the same late replies. In arrival order the first finished only once 49 of the 60 were answered.
    finished.forEach((entry, index) => {
      expect(entry.answeredBy, entry.id).toBeLessThanOrEqual(REQUESTS_PER_CONVERSATION * (index + 2) + IN_FLIGHT);
    });
  });
});
