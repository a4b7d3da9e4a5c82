import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, ProviderError } from '../../src/core/errors.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, Dispatcher } from '../../src/dispatcher/index.js';
import { eventRecorder, fail, FakeProvider, ok, settleAll, slotFor, userTurn } from './fake-provider.js';

const request = { role: 'assistant' as const, messages: userTurn };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retries', () => {
  it('a 400 is not retried: the caller gets it after one attempt and the provider stays healthy', async () => {
    const mistral = new FakeProvider('mistral', () => fail('bad_request', 400));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 5)], onEvent: recorder.onEvent });
    const [result] = await settleAll([dispatcher.session().complete(request)]);
    expect(result?.status).toBe('rejected');
    expect(result?.status === 'rejected' ? result.reason : undefined).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(mistral.calls).toHaveLength(1);
    expect(recorder.events).toContainEqual(expect.objectContaining({ type: 'request-error', kind: 'bad_request', willRetry: false }));
    expect(dispatcher.providerStates().mistral).toEqual({ status: 'active' });
  });

  it('attempts are capped at maxAttempts and the last ProviderError is thrown', async () => {
    const mistral = new FakeProvider('mistral', (index) => fail('server', 500 + index));
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 50)],
      retry: { maxAttempts: 4, baseMs: 10 },
      health: { failureThreshold: 100 },
    });
    const [result] = await settleAll([dispatcher.session().complete(request)]);
    expect(mistral.calls).toHaveLength(4);
    const reason = result?.status === 'rejected' ? result.reason : undefined;
    expect(reason).toBeInstanceOf(ProviderError);
    expect(reason).toMatchObject({ kind: 'server', status: 503 });
  });

  it('timeouts, network resets, malformed replies and 5xx are retried until one succeeds', async () => {
    const outcomes = [fail('timeout'), fail('network'), fail('malformed'), fail('server', 502), ok(200)];
    const mistral = new FakeProvider('mistral', (index) => outcomes[index] ?? ok(200));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 50)],
      health: { failureThreshold: 10 },
      onEvent: recorder.onEvent,
    });
    const [result] = await settleAll([dispatcher.session().complete(request)]);
    expect(result).toMatchObject({ status: 'fulfilled', value: { text: 'reply 4' } });
    const errors = recorder.events.filter((event) => event.type === 'request-error');
    expect(errors.map((event) => (event.type === 'request-error' ? [event.kind, event.willRetry] : []))).toEqual([
      ['timeout', true],
      ['network', true],
      ['malformed', true],
      ['server', true],
    ]);
    expect(recorder.events.at(-1)).toMatchObject({ type: 'request-end', provider: 'mistral', model: 'mistral-assistant', latencyMs: 200 });
  });

  it('backoff is full jitter: a uniform delay below min(cap, base × 2^retry)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (failedAttempts, draw, baseMs, capMs) => {
          const policy = { ...DEFAULT_RETRY_POLICY, baseMs, capMs };
          const delay = backoffDelayMs(policy, failedAttempts, () => draw);
          const ceiling = Math.min(capMs, baseMs * 2 ** (failedAttempts - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(delay).toBeCloseTo(draw * ceiling, 6);
        },
      ),
    );
  });

  it('the dispatcher sleeps exactly the jittered backoff between attempts', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index < 4 ? fail('server', 500) : ok(100)));
    const dispatcher = new Dispatcher({
      providers: [slotFor(mistral, 1_000)],
      retry: { baseMs: 1_000, capMs: 4_000 },
      health: { failureThreshold: 100 },
      random: () => 0.5,
    });
    await settleAll([dispatcher.session().complete(request)]);
    const gaps = mistral.calls.slice(1).map((call, index) => call.startedAt - (mistral.calls[index]?.endedAt ?? 0));
    // 0.5 × 1000, 0.5 × 2000, 0.5 × 4000, then capped: 0.5 × 4000.
    expect(gaps).toEqual([500, 1_000, 2_000, 2_000]);
  });
});

describe('abort and close', () => {
  it('abort rejects promptly, reaches the adapter and frees the slot', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? { hang: true } : ok(100)));
    const recorder = eventRecorder();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 100, { maxConcurrency: 1 })], onEvent: recorder.onEvent });
    const controller = new AbortController();
    const hanging = dispatcher.session().complete({ ...request, signal: controller.signal });
    const waiting = dispatcher.session().complete(request);
    let rejectedAt: number | undefined;
    hanging.catch(() => (rejectedAt = Date.now()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(mistral.calls).toHaveLength(1);

    controller.abort();
    await expect(hanging).rejects.toMatchObject({ kind: 'aborted', message: 'request aborted by the caller' });
    expect(rejectedAt).toBe(1_000);
    expect(mistral.calls[0]?.request.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    await expect(waiting).resolves.toMatchObject({ provider: 'mistral' });
    expect(mistral.calls[1]?.startedAt).toBe(1_000);
    expect(recorder.events).toContainEqual(expect.objectContaining({ type: 'request-error', kind: 'aborted', willRetry: false }));
  });

  it('an abort while queued for pacing rejects at once and the next request takes its turn', async () => {
    const mistral = new FakeProvider('mistral', () => ok(100));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 1)] });
    const controller = new AbortController();
    const first = dispatcher.session().complete(request);
    const second = dispatcher.session().complete({ ...request, signal: controller.signal });
    const third = dispatcher.session().complete(request);
    await vi.advanceTimersByTimeAsync(300);
    controller.abort();
    await expect(second).rejects.toMatchObject({ kind: 'aborted' });
    await settleAll([first, third]);
    expect(mistral.starts).toEqual([0, 1_000]);
  });

  it('an abort during a backoff sleep rejects at once', async () => {
    const mistral = new FakeProvider('mistral', () => fail('server', 500));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)], retry: { baseMs: 60_000, capMs: 60_000 }, random: () => 0.9 });
    const controller = new AbortController();
    const reply = dispatcher.session().complete({ ...request, signal: controller.signal });
    reply.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    controller.abort();
    await expect(reply).rejects.toMatchObject({ kind: 'aborted' });
    expect(mistral.calls).toHaveLength(1);
  });

  it('an abort while every provider is down rejects at once', async () => {
    const mistral = new FakeProvider('mistral', () => fail('server', 500));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)], health: { failureThreshold: 1, cooldownBaseMs: 60_000 } });
    const controller = new AbortController();
    const reply = dispatcher.session().complete({ ...request, signal: controller.signal });
    reply.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(dispatcher.providerStates().mistral?.status).toBe('cooling_down');
    controller.abort();
    await expect(reply).rejects.toMatchObject({ kind: 'aborted' });
    dispatcher.close();
  });

  it('a probe given up before it starts passes to another waiting request', async () => {
    // One start per 10 s, so the probe reserved when the 5 s cooldown ends waits in the queue.
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? fail('server', 500) : ok(100)));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 0.1)], health: { failureThreshold: 1 } });
    const controller = new AbortController();
    const prober = dispatcher.session().complete({ ...request, signal: controller.signal });
    prober.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(6_000);
    let answered = false;
    const other = dispatcher.session().complete(request);
    other.then(() => (answered = true), () => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(answered).toBe(true);
    expect(mistral.starts).toEqual([0, 10_000]);
    expect(dispatcher.providerStates().mistral).toEqual({ status: 'active' });
  });

  it('a provider that never answers is cut off at its timeout and the request retried', async () => {
    const mistral = new FakeProvider('mistral', (index) => (index === 0 ? { hang: true } : ok(100)));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10, { timeoutMs: 5_000 })], random: () => 0 });
    const [result] = await settleAll([dispatcher.session().complete(request)]);
    expect(result).toMatchObject({ status: 'fulfilled' });
    expect(mistral.calls[0]?.request.timeoutMs).toBe(5_000);
    expect(mistral.calls[0]?.request.signal?.aborted).toBe(true);
    expect(mistral.calls[1]?.startedAt).toBeGreaterThanOrEqual(5_000);
    expect(mistral.calls[1]?.startedAt).toBeLessThanOrEqual(7_000);
  });

  it('close rejects waiting and running work with an aborted error and leaves no timer behind', async () => {
    const mistral = new FakeProvider('mistral', () => ok(3_000));
    const together = new FakeProvider('together', () => fail('server', 500));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 1), slotFor(together, 1)] });
    const replies = Array.from({ length: 6 }, () => dispatcher.session().complete(request));
    for (const reply of replies) reply.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_500);
    dispatcher.close();
    for (const reply of replies) await expect(reply).rejects.toMatchObject({ kind: 'aborted', message: 'dispatcher closed' });
    expect(vi.getTimerCount()).toBe(0);
    await expect(dispatcher.session().complete(request)).rejects.toMatchObject({ kind: 'aborted' });
  });
});

describe('options', () => {
  it('invalid options are refused at construction with what was expected and found', () => {
    const mistral = new FakeProvider('mistral', () => ok(1));
    expect(() => new Dispatcher({ providers: [slotFor(mistral, 0)] })).toThrow(
      new ConfigError('Expected `requestsPerSecond` of provider `mistral` to be a finite number > 0, got `0` (number)'),
    );
    expect(() => new Dispatcher({ providers: [] })).toThrow(ConfigError);
    expect(() => new Dispatcher({ providers: [slotFor(mistral, 1), slotFor(mistral, 2)] })).toThrow('got `mistral` twice');
    expect(() => new Dispatcher({ providers: [slotFor(mistral, 1)], retry: { maxAttempts: 0 } })).toThrow('`retry.maxAttempts`');
  });
});
