import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { createRandom } from '../../src/core/random.js';
import type { ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor, userTurn } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

/** Starts a new conversation every `everyMs` for `forMs`, like a runner keeping work in flight. */
async function trickle(dispatcher: Dispatcher, everyMs: number, forMs: number, requests: number) {
  const sessions: Array<ReturnType<Dispatcher['session']>> = [];
  const conversations: Array<Promise<void>> = [];
  for (let at = 0; at < forMs; at += everyMs) {
    const session = dispatcher.session();
    sessions.push(session);
    conversations.push(conversation(session, requests));
    await vi.advanceTimersByTimeAsync(everyMs);
  }
  return { sessions, results: await settleAll(conversations) };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('health and failover', () => {
  it("a dead provider's sessions fail over, it cools down, is probed once per cooldown and comes back when a probe succeeds", async () => {
    // mistral answers 500 or drops the connection until 12 s, then works.
    const mistral = new FakeProvider('mistral', (index, now) =>
      now < 12_000 ? (index % 2 === 0 ? fail('server', 500) : fail('network')) : ok(1_000),
    );
    const together = new FakeProvider('together', () => ok(1_000));
    const recorder = eventRecorder();
    const log = vi.fn();
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 2), slotFor(together, 2)],
      random: createRandom(3),
      onEvent: recorder.onEvent,
      log,
    });
    const { sessions, results } = await trickle(dispatcher, 500, 30_000, 2);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const switched = sessions.flatMap((session) => session.switches);
    expect(switched.length).toBeGreaterThan(0);
    for (const entry of switched) {
      expect(entry).toMatchObject({ from: 'mistral', to: 'together', reason: expect.stringMatching(/cooling down|probing/) });
    }

    const states = recorder.events.flatMap((event) => (event.type === 'provider-state' && event.provider === 'mistral' ? [event] : []));
    expect(states.map((event) => event.state.status)).toEqual(['cooling_down', 'cooling_down', 'cooling_down', 'cooling_down', 'active']);
    const [firstCooling, firstProbe, secondCooling, secondProbe, recovered] = states;
    expect(firstCooling?.state).toMatchObject({ reason: expect.stringContaining('3 consecutive failures') });
    // Cooldowns grow: 5 s, then 10 s.
    const untilOf = (event: typeof firstCooling) => (event?.state.status === 'cooling_down' ? Date.parse(event.state.until) : NaN);
    expect(untilOf(firstCooling) - (firstCooling?.at ?? 0)).toBe(5_000);
    expect(untilOf(secondCooling) - (secondCooling?.at ?? 0)).toBe(10_000);
    // Exactly one request reaches mistral while it is half-open, and none while it cools.
    const startsBetween = (from: number, to: number) => mistral.starts.filter((start) => start >= from && start < to).length;
    expect(startsBetween(firstCooling?.at ?? 0, firstProbe?.at ?? 0)).toBe(0);
    expect(startsBetween(firstProbe?.at ?? 0, secondCooling?.at ?? 0)).toBe(1);
    expect(startsBetween(secondCooling?.at ?? 0, secondProbe?.at ?? 0)).toBe(0);
    expect(startsBetween(secondProbe?.at ?? 0, recovered?.at ?? 0)).toBe(1);
    expect(secondCooling?.state).toMatchObject({ reason: 'probe failed: network' });
    // Back in rotation: new conversations use mistral again.
    expect(startsBetween(recovered?.at ?? 0, Infinity)).toBeGreaterThan(5);
    expect(dispatcher.providerStates().mistral).toEqual({ status: 'active' });
    expect(log).toHaveBeenCalledWith('info', 'provider mistral recovered', { provider: 'mistral' });
  });

  it('a 401 disables one provider, its work finishes on the rest, and the disabled state says why', async () => {
    const mistral = new FakeProvider('mistral', () => fail('auth', 401));
    const together = new FakeProvider('together', () => ok(800));
    const recorder = eventRecorder();
    const log = vi.fn();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)], onEvent: recorder.onEvent, log });
    const sessions = Array.from({ length: 10 }, () => dispatcher.session());
    const results = await settleAll(sessions.map((session) => conversation(session, 3)));

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(mistral.calls).toHaveLength(1);
    expect(together.calls).toHaveLength(30);
    const disabled = { status: 'disabled', reason: 'authentication failed (401)' };
    expect(dispatcher.providerStates()).toEqual({ mistral: disabled, together: { status: 'active' } });
    expect(recorder.events).toContainEqual(expect.objectContaining({ type: 'provider-state', provider: 'mistral', state: disabled }));
    expect(log.mock.calls.filter(([level]) => level === 'error')).toEqual([
      ['error', 'provider mistral disabled: authentication failed (401); the run continues on the others', { provider: 'mistral' }],
    ]);
    // Half the conversations started on mistral (round-robin); each moved once, with the reason.
    const switched = sessions.filter((session) => session.switches.length > 0);
    expect(switched).toHaveLength(5);
    for (const session of switched) {
      expect(session.provider).toBe('together');
      expect(session.switches).toEqual([
        expect.objectContaining({ from: 'mistral', to: 'together', reason: 'disabled: authentication failed (401)' }),
      ]);
    }
    expect(dispatcher.hasUsableProvider()).toBe(true);
  });

  it('when every provider is disabled, requests fail with the authentication error instead of waiting', async () => {
    const mistral = new FakeProvider('mistral', () => fail('auth', 401));
    const together = new FakeProvider('together', () => fail('auth', 403));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)] });
    const [first, second] = await settleAll([
      dispatcher.session().complete({ role: 'tester', messages: userTurn }),
      dispatcher.session().complete({ role: 'tester', messages: userTurn }),
    ]);
    for (const result of [first, second]) {
      expect(result?.status).toBe('rejected');
      const reason = result?.status === 'rejected' ? result.reason : undefined;
      expect(reason).toBeInstanceOf(ProviderError);
      expect(reason).toMatchObject({ kind: 'auth' });
    }
    expect(dispatcher.hasUsableProvider()).toBe(false);
    const late = dispatcher.session().complete({ role: 'tester', messages: userTurn });
    await expect(late).rejects.toMatchObject({ kind: 'auth', message: expect.stringContaining('every provider is disabled') });
  });

  it('all providers down then back up: waiting requests resume and complete, without polling', async () => {
    const script = (_index: number, now: number) => (now < 20_000 ? fail('server', 503) : ok(1_000));
    const mistral = new FakeProvider('mistral', script);
    const together = new FakeProvider('together', script);
    const log = vi.fn();
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 2), slotFor(together, 2)],
      random: createRandom(11),
      log,
    });
    const conversations = Array.from({ length: 6 }, () => conversation(dispatcher.session(), 2));
    await vi.advanceTimersByTimeAsync(3_000);
    const states = dispatcher.providerStates();
    expect(states.mistral?.status).toBe('cooling_down');
    expect(states.together?.status).toBe('cooling_down');
    expect(dispatcher.hasUsableProvider()).toBe(true);
    // Nothing in flight, nothing polling: only the two cooldown timers are set.
    expect(vi.getTimerCount()).toBe(2);
    const results = await settleAll(conversations);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(mistral.calls.filter((call) => call.result === 'ok').length + together.calls.filter((call) => call.result === 'ok').length).toBe(12);
    const downLogs = log.mock.calls.filter(([, message]) => /^all providers are down \(mistral: .+; together: .+\); waiting until /.test(String(message)));
    expect(downLogs.length).toBeGreaterThan(0);
    // Once per state change, not once per waiting request or per wake-up.
    const stateChanges = log.mock.calls.filter(([, message]) => /^provider \w+ (cooling down|cooldown over|recovered)/.test(String(message)));
    expect(downLogs.length).toBeLessThanOrEqual(stateChanges.length);
    expect(dispatcher.providerStates()).toEqual({ mistral: { status: 'active' }, together: { status: 'active' } });
  });
});
