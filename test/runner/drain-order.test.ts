import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../src/pipelines/contract.js';
import { echoAfterSteps, startEchoRun, useEchoRunnerFixture } from './echo-runner-fixture.js';

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
    let answered = 0;
    /** For each conversation, in the order they finished: its id and the requests answered by then, all conversations'. */
    const finished: { readonly id: string; readonly answeredBy: number }[] = [];
    let opens = 0;
    // 20 requests/s against replies in about 20 ms: requests queue at the pace, as on a real night.
    const { runner, finish } = await startEchoRun(fixture, {
      target: 100,
      concurrency: IN_FLIGHT,
      requestsPerSecond: 20,
      pipeline: (echo) => ({
        run: async (context): Promise<UnitOfWork> => {
          opens += 1;
          // Every conversation is open (each with its first request queued): stop opening, as a Ctrl+C does.
          if (opens === IN_FLIGHT) runner.drain('test drain');
          const unit = await echoAfterSteps(echo, context, REQUESTS_PER_CONVERSATION, () => (answered += 1));
          finished.push({ id: context.conversationId, answeredBy: answered });
          return unit;
        },
      }),
    });
    const { outcome, saved } = await finish();
    expect(outcome).toEqual({ kind: 'drained', reason: 'test drain' });
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
