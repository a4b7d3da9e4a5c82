import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

async function injected429(emulator: Emulator): Promise<Response> {
  return fetch(`${emulator.baseUrls.together}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer injected-key-123', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'emulator-tester', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe("an injected 429's Retry-After", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 4 });
  });
  afterAll(async () => emulator.close());

  it('asks for one request interval under a rate limit, as a real limiter says when the next slot frees', async () => {
    emulator.configure('together', { requestsPerSecond: 8, faults: { rate429: 1 } });
    const response = await injected429(emulator);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after-ms')).toBe('125');
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('asks for a second without a rate limit, and for what it is told when configured', async () => {
    emulator.configure('together', { faults: { rate429: 1 } });
    expect((await injected429(emulator)).headers.get('retry-after-ms')).toBe('1000');
    emulator.configure('together', { requestsPerSecond: 8, injectedRetryAfterMs: 2500, faults: { rate429: 1 } });
    const response = await injected429(emulator);
    expect(response.headers.get('retry-after-ms')).toBe('2500');
    expect(response.headers.get('retry-after')).toBe('3');
  });
});
