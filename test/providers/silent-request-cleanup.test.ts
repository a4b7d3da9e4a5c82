import { getEventListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER_TYPES, type WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';

/**
 * A night of hung and stalled requests must not leak: every request given up on closes its
 * socket (the emulator sees no connection left), and leaves no listener on the caller's signal
 * and no timer behind.
 */
const MESSAGES: readonly WireMessage[] = [
  { role: 'system', content: 'You are Ada.' },
  { role: 'user', content: 'Tell me something about tea.' },
];
const ROUNDS = 4;
const AT_ONCE = 20;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    seed: 5,
    defaults: { faults: { rateHang: 0.5, rateStall: 0.5 }, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 8 },
  });
});
afterAll(async () => {
  await emulator.close();
});

function activeCount(kind: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === kind).length;
}

/** Reads until the value is down to `expected` or a second has passed; returns the last value read. */
async function eventually(read: () => Promise<number> | number, expected: number): Promise<number> {
  let value = await read();
  for (let attempt = 0; attempt < 50 && value > expected; attempt++) {
    await delay(20);
    value = await read();
  }
  return value;
}

describe.each(PROVIDER_TYPES)('the %s adapter after many hung and stalled requests', (name) => {
  it('closes every socket it gave up on and leaves no listener or timer behind', async () => {
    const provider = createProvider(name, { apiKey: 'cleanup-key-0000', baseUrl: emulator.baseUrls[name] });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    const timersBefore = activeCount('Timeout');
    // One long-lived signal per conversation, as a conversation's requests share one.
    const callers = Array.from({ length: AT_ONCE }, () => new AbortController());
    const outcomes = new Set<string>();
    const socketsAfterRound: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const batch = callers.map((caller) =>
          provider
            .complete({ model: 'emulator-tester', messages: MESSAGES, signal: caller.signal, timeoutMs: 10_000, firstByteTimeoutMs: 400, idleTimeoutMs: 100 })
            .then(
              () => 'answered',
              (error: unknown) => (error instanceof ProviderError ? `${error.kind}: ${error.message.replace(/^\w+: /, '')}` : String(error)),
            ),
        );
        for (const outcome of await Promise.all(batch)) outcomes.add(outcome);
        // The emulator holds a hung or stalled answer until the client closes its socket.
        expect(await eventually(() => emulator.heldResponses(), 0)).toBe(0);
        socketsAfterRound.push(await eventually(() => activeCount('TCPSocketWrap'), 2 * AT_ONCE));
      }
    } finally {
      process.off('warning', onWarning);
    }
    expect(outcomes).toEqual(new Set(['timeout: no first byte within 400 ms', 'timeout: stream stalled for 100 ms']));
    const counters = emulator.counters()[name];
    expect(counters.injected.hang).toBeGreaterThan(0);
    expect(counters.injected.stall).toBeGreaterThan(0);
    // Sockets are replaced, not accumulated: about one per request in flight at each end (the
    // emulator runs in this process; the pool reconnects in the background), where a leak would
    // keep all 80 requests' sockets open at both ends.
    expect(Math.max(...socketsAfterRound)).toBeLessThanOrEqual(3 * AT_ONCE);
    for (const caller of callers) expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    // A timer left behind per request would add 80; the margin is the test runner's own.
    expect(await eventually(() => activeCount('Timeout'), timersBefore)).toBeLessThanOrEqual(timersBefore + AT_ONCE);
    expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
    emulator.resetCounters();
  });
});

/** The engine's collector, to show that giving up on a request does not depend on what it keeps. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe.each(PROVIDER_TYPES)('the %s adapter when the garbage collector runs mid-request', (name) => {
  it('still gives up on a stalled stream at its limit and closes the socket', async () => {
    emulator.configure(name, { faults: { rateStall: 1 }, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 8 });
    const provider = createProvider(name, { apiKey: 'cleanup-key-0000', baseUrl: emulator.baseUrls[name] });
    const outcomes = Array.from({ length: 5 }, () =>
      provider.complete({ model: 'emulator-tester', messages: MESSAGES, timeoutMs: 10_000, firstByteTimeoutMs: 1_000, idleTimeoutMs: 300 }).then(
        () => 'answered',
        (error: unknown) => (error instanceof ProviderError ? error.kind : String(error)),
      ),
    );
    // Once the streams have started, the SDKs' intermediate objects are garbage.
    await delay(150);
    collectGarbage();
    const settled = await Promise.race([Promise.all(outcomes), delay(5_000).then(() => 'still waiting')]);
    expect(settled).toEqual(['timeout', 'timeout', 'timeout', 'timeout', 'timeout']);
    expect(await eventually(() => emulator.heldResponses(), 0)).toBe(0);
    emulator.configure(name, { faults: { rateHang: 0.5, rateStall: 0.5 }, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 8 });
  });
});
