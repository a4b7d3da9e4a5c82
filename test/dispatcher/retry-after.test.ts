import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import type { ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor, userTurn } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Retry-After', () => {
  it("a 429 with Retry-After 3 s delays that provider's next start by ≥ 3 s and does not delay the other provider", async () => {
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? fail('rate_limit', 429, 3_000, 100) : ok(1_000)));
    const together = new FakeProvider('together', () => ok(1_000));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 2), slotFor(together, 2)],
      random: createRandom(7),
      onEvent: recorder.onEvent,
    });
    const results = await settleAll(Array.from({ length: 12 }, () => conversation(dispatcher.session(), 3)));

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(mistral.calls[0]?.result).toBe('rate_limit');
    const answeredAt = mistral.calls[0]?.endedAt ?? 0;
    const laterMistralStarts = mistral.starts.slice(1);
    expect(laterMistralStarts.length).toBeGreaterThan(0);
    expect(Math.min(...laterMistralStarts)).toBeGreaterThanOrEqual(answeredAt + 3_000);
    // together kept its own pace (a start every 500 ms) through mistral's pause.
    const togetherDuringPause = together.starts.filter((start) => start < answeredAt + 3_000);
    expect(togetherDuringPause).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500, 3_000]);
    expect(recorder.events).toContainEqual(
      expect.objectContaining({ type: 'request-error', provider: 'mistral', kind: 'rate_limit', status: 429, willRetry: true }),
    );
    // A rate limit with Retry-After pauses; it never counts toward a cooldown.
    expect(recorder.events.filter((event) => event.type === 'provider-state')).toEqual([]);
  });

  it('repeated 429s with Retry-After pause the provider but never cool it down', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index < 5 ? fail('rate_limit', 429, 1_000, 50) : ok(500)));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)], retry: { maxAttempts: 10 }, onEvent: recorder.onEvent });
    const results = await settleAll(Array.from({ length: 3 }, () => conversation(dispatcher.session(), 2)));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(dispatcher.providerStates().mistral).toEqual({ status: 'active' });
    expect(recorder.events.some((event) => event.type === 'provider-state')).toBe(false);
    // Nothing started within 1 s after any 429 was answered.
    const answers = mistral.calls.filter((entry) => entry.result === 'rate_limit').map((entry) => entry.endedAt ?? 0);
    expect(answers).toHaveLength(5);
    for (const answeredAt of answers) {
      expect(mistral.starts.filter((start) => start >= answeredAt && start < answeredAt + 1_000)).toEqual([]);
    }
  });

  it('a Retry-After longer than the pause limit cools the provider down and its conversations fail over', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? fail('rate_limit', 429, 3_600_000, 100) : ok(1_000)));
    const together = new FakeProvider('together', () => ok(1_000));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)] });
    const session = dispatcher.session({ preferred: 'mistral' });
    const reply = session.complete({ role: 'tester', messages: userTurn });
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(reply).resolves.toMatchObject({ provider: 'together' });
    expect(session.provider).toBe('together');
    expect(session.switches).toEqual([
      expect.objectContaining({ from: 'mistral', to: 'together', reason: expect.stringContaining('Retry-After 3600 s') }),
    ]);
    expect(dispatcher.providerStates().mistral).toMatchObject({ status: 'cooling_down', until: new Date(3_600_100).toISOString() });
    dispatcher.close();
  });
});
