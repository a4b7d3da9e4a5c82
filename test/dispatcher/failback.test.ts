import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import type { ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor, startsPerSecond, userTurn } from './fake-provider.js';

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

describe('failback', () => {
  it("after a burst of failures on one provider and its recovery, its conversations come back and its request rate returns to its share", async () => {
    // Two providers at 2 requests/s each, 1 s replies; mistral answers 500 to whatever starts between 5 s and 8 s.
    const mistral = new FakeProvider('mistral', (_index, now) => (now >= 5_000 && now < 8_000 ? fail('server', 500) : ok(1_000)));
    const together = new FakeProvider('together', () => ok(1_000));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 2), slotFor(together, 2)],
      random: createRandom(8),
      onEvent: recorder.onEvent,
    });
    // A fixed set of long conversations: no new ones open to refill mistral after it recovers.
    const sessions = Array.from({ length: 8 }, () => dispatcher.session());
    const results = await settleAll(sessions.map((session) => conversation(session, 60)));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);

    const states = recorder.events.flatMap((event) => (event.type === 'provider-state' && event.provider === 'mistral' ? [event] : []));
    const recoveredAt = states.find((event) => event.state.status === 'active')?.at ?? Infinity;
    expect(recoveredAt).toBeLessThan(20_000);
    // Before the failures both ran at their rate; well after the recovery mistral is back at its share.
    expect(startsPerSecond(mistral.starts, 1_000, 5_000)).toBeGreaterThanOrEqual(1.75);
    const from = recoveredAt + 5_000;
    const to = from + 30_000;
    expect(startsPerSecond(mistral.starts, from, to)).toBeGreaterThanOrEqual(1.9);
    expect(startsPerSecond(together.starts, from, to)).toBeGreaterThanOrEqual(1.9);

    // Every conversation that left mistral came back, with both switches recorded, and no other
    // moved. The first to go back carried the probe that brought mistral back; with no new
    // conversation opening, nothing else would have sent it.
    const movedAway = sessions.filter((session) => session.switches.length > 0);
    expect(movedAway.length).toBeGreaterThan(1);
    for (const session of movedAway) {
      expect(session.switches).toEqual([
        expect.objectContaining({ from: 'mistral', to: 'together', reason: expect.stringMatching(/cooling down/) }),
        expect.objectContaining({ from: 'together', to: 'mistral', reason: expect.stringMatching(/^home provider/) }),
      ]);
      expect(session.provider).toBe('mistral');
    }
    const returns = movedAway.map((session) => ({ reason: session.switches[1]?.reason, at: Date.parse(session.switches[1]?.at ?? '') }));
    const probes = returns.filter((entry) => entry.reason === 'home provider out of cooldown; this request probes it');
    expect(probes).toHaveLength(1);
    expect(probes[0]?.at).toBeLessThanOrEqual(recoveredAt);
    const recovered = returns.filter((entry) => entry.reason === 'home provider recovered');
    expect(recovered).toHaveLength(movedAway.length - 1);
    for (const entry of recovered) expect(entry.at).toBeGreaterThanOrEqual(recoveredAt);
  });

  it('a conversation stays where it failed over to while its recovered home is busier', async () => {
    const request = { role: 'tester' as const, messages: userTurn };
    const mistral = new FakeProvider('mistral', () => ok(1_000));
    const together = new FakeProvider('together', (index) => (index === 0 ? fail('server', 500) : ok(1_000)));
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 1), slotFor(together, 1)],
      health: { failureThreshold: 1, cooldownBaseMs: 2_000 },
      random: createRandom(9),
    });
    // Started on together, which fails and cools down: the conversation moves to mistral.
    const session = dispatcher.session({ preferred: 'together' });
    await settleAll([session.complete(request)]);
    expect(session.switches.map((entry) => [entry.from, entry.to])).toEqual([['together', 'mistral']]);
    // Another conversation takes together's probe after the cooldown; together is back.
    await settleAll([dispatcher.session({ preferred: 'together' }).complete(request)]);
    expect(dispatcher.providerStates().together).toEqual({ status: 'active' });

    // Six conversations now keep together busy while mistral has nothing but this one.
    const busy = Array.from({ length: 6 }, () => conversation(dispatcher.session({ preferred: 'together' }), 3));
    await settleAll<unknown>([session.complete(request), ...busy]);
    expect(session.switches).toHaveLength(1);
    expect(session.provider).toBe('mistral');
    expect(mistral.calls).toHaveLength(2);
  });
});
