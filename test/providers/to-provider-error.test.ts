import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { describeNetworkError } from '../../src/providers/describe-network-error.js';
import { createRequestSignal } from '../../src/providers/request-signal.js';
import { toProviderError } from '../../src/providers/to-provider-error.js';
import { findClosedPort } from '../helpers/loopback-server.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';

/**
 * The socket errors Node's fetch really raises (taken from real failed requests on 127.0.0.1, not
 * built by hand) are classified by the same list of codes that words them: a failure
 * `describeNetworkError` calls a network failure is a `network` error, however the SDK wrapped it.
 */
const TLS = path.join(REPOSITORY_ROOT, 'test/fixtures/tls');

let emulator: Emulator;
let selfSigned: https.Server;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 3 });
  selfSigned = https.createServer({ key: readFileSync(path.join(TLS, 'self-signed.key')), cert: readFileSync(path.join(TLS, 'self-signed.crt')) }, (_, response) =>
    response.end('{}'),
  );
  await new Promise<void>((resolve) => selfSigned.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => selfSigned.close(resolve));
});

/** What fetch threw for `url`: `TypeError: fetch failed` with the socket error as its cause. */
async function fetchFailure(url: string): Promise<Error> {
  const failure = await fetch(url).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(TypeError);
  return failure as Error;
}

function classify(error: unknown, url: string) {
  const requestSignal = createRequestSignal(undefined, {});
  try {
    return toProviderError(error, { provider: 'together', type: 'together', redact: (text) => text, requestSignal, url });
  } finally {
    requestSignal.dispose();
  }
}

const FAILURES = {
  'https:// to a plain-HTTP server (a TLS protocol error)': async () => `${emulator.baseUrls.together.replace('http://', 'https://')}/chat/completions`,
  'a self-signed certificate': async () => `https://127.0.0.1:${(selfSigned.address() as { port: number }).port}/v1`,
  'a refused connection': async () => `http://127.0.0.1:${await findClosedPort()}/v1`,
} as const;

describe('a real socket failure is a network error, whether the SDK hands it over wrapped or bare', () => {
  it.each(Object.keys(FAILURES) as (keyof typeof FAILURES)[])('%s', async (failure) => {
    const url = await FAILURES[failure]();
    const wrapped = await fetchFailure(url);
    const socketError = wrapped.cause as Error & { code?: string };
    expect(socketError.code).toMatch(/^[A-Z_]+$/);
    const words = describeNetworkError(wrapped, url);
    expect(words).not.toMatch(/^network failure/);
    const rewrapped = [new Error('request failed', { cause: socketError }), new Error('connection error', { cause: wrapped })];
    for (const error of [wrapped, socketError, ...rewrapped]) {
      const classified = classify(error, url);
      expect(classified).toMatchObject({ kind: 'network', retryable: true });
      expect(classified.message).toBe(`together: network error: ${words}`);
    }
  });
});
