import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../src/pipelines/contract.js';
import { echoAfterSteps, startEchoRun, useEchoRunnerFixture } from './echo-runner-fixture.js';

/**
 * Once all the target still needs is in flight, the runner has the providers serve in arrival
 * order: the conversations advance together and finish together, instead of the newest waiting
 * behind the oldest and then running their requests one after another alone at the end. The real
 * dispatcher, SDK and store, the emulator over HTTP, the echo test pipeline with four more
 * requests before its echo.
 */
const fixture = useEchoRunnerFixture(13);

const TARGET = 12;
const REQUESTS_PER_CONVERSATION = 5;

describe('the end of a run', () => {
  it('serves the last conversations in arrival order, so they finish together', async () => {
    let answered = 0;
    const answeredWhenFinished: number[] = [];
    // 10 requests/s, replies in about 20 ms: twelve first requests queue where five would be
    // over-fed, which by default would serve the oldest conversation first.
    const { finish } = await startEchoRun(fixture, {
      target: TARGET,
      concurrency: TARGET,
      requestsPerSecond: 10,
      pipeline: (echo) => ({
        run: async (context): Promise<UnitOfWork> => {
          const unit = await echoAfterSteps(echo, context, REQUESTS_PER_CONVERSATION, () => (answered += 1));
          answeredWhenFinished.push(answered);
          return unit;
        },
      }),
    });
    const { outcome, saved } = await finish();
    expect(outcome).toEqual({ kind: 'target_reached' });
    expect(saved).toHaveLength(TARGET);
    // In step, the first to finish did so in the last round: every conversation had had all but its
    // last request answered (48 of 60; one late reply may let a conversation fall a step behind).
    // Oldest first, the first finished after its own five and the first requests queued meanwhile.
    expect(answeredWhenFinished[0]).toBeGreaterThanOrEqual((REQUESTS_PER_CONVERSATION - 1) * TARGET - 2);
  });
});
