import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatProvider, ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { FakeProvider, maxStartsInWindow, ok, slotFor, userTurn } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

/** A fake adapter whose SDK is still loading: `loaded()` ends the loading. */
function loadingProvider(provider: FakeProvider): { provider: ChatProvider & FakeProvider; loaded: () => void } {
  let loaded: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (loaded = resolve));
  return { provider: Object.assign(provider, { ready }), loaded };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a provider whose SDK is still loading', () => {
  it('starts nothing until its SDK has loaded while the other provider serves at once, then keeps to its rate', async () => {
    const mistral = loadingProvider(new FakeProvider('mistral', () => ok(400)));
    const together = new FakeProvider('together', () => ok(400));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral.provider, 4), slotFor(together, 4)] });
    const conversations = Array.from({ length: 12 }, () => conversation(dispatcher.session(), 3));
    const all = Promise.allSettled(conversations);

    await vi.advanceTimersByTimeAsync(2_000);
    expect(mistral.provider.calls).toHaveLength(0);
    expect(together.calls.length).toBeGreaterThan(0);
    expect(together.starts[0]).toBe(0);

    mistral.loaded();
    await vi.runAllTimersAsync();
    const results = await all;
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(mistral.provider.calls.length).toBeGreaterThan(0);
    expect(Math.min(...mistral.provider.starts)).toBeGreaterThanOrEqual(2_000);
    // The requests that waited for the load do not leave together: pacing still spaces them.
    expect(maxStartsInWindow(mistral.provider.starts, 1_000)).toBeLessThanOrEqual(4);
    expect(mistral.provider.calls.length + together.calls.length).toBe(36);
  });
});
