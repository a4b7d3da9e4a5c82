import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import { PROVIDER_TYPES, type ProviderType } from '../../src/core/types.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { findClosedPort } from '../helpers/loopback-server.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';

/**
 * A provider that cannot be reached says why, through each real SDK: the error code from the
 * cause chain, the host and the URL, never the key or a query token.
 */
const KEY = 'unreachable-key-4b8d2f6a19';
const TOKEN = 'query-token-93c1e7';
/** Where each SDK expects its base URL to end (README, "base URL"). */
const SUFFIX: Readonly<Record<ProviderType, string>> = { mistral: '', together: '/v1', huggingface: '', openai_compatible: '/v1' };
const TLS = path.join(REPOSITORY_ROOT, 'test/fixtures/tls');

async function failureOf(name: ProviderType, origin: string, timeoutMs = 20_000): Promise<ProviderError> {
  const provider = createProvider(name, { apiKey: KEY, baseUrl: `${origin}${SUFFIX[name]}?token=${TOKEN}` });
  const error = await provider.complete({ model: 'm', messages: [{ role: 'user', content: 'hello' }], timeoutMs }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  const providerError = error as ProviderError;
  expect(providerError).toMatchObject({ provider: name, kind: 'network', retryable: true });
  expect(providerError.message).not.toContain(KEY);
  expect(providerError.message).not.toContain(TOKEN);
  return providerError;
}

describe.each(PROVIDER_TYPES)('the %s adapter, when the provider cannot be reached', (name) => {
  let tlsServer: https.Server;
  let resetServer: net.Server;
  let plainServer: http.Server;
  const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

  beforeAll(async () => {
    // A self-signed certificate, as a proxy or a misconfigured local server presents.
    tlsServer = https.createServer({ key: readFileSync(path.join(TLS, 'self-signed.key')), cert: readFileSync(path.join(TLS, 'self-signed.crt')) }, (_, response) =>
      response.end('{}'),
    );
    // Accepts, reads the request, and resets the connection.
    resetServer = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    // A plain-HTTP server (as a local model server is) reached with an https:// URL.
    plainServer = http.createServer((_, response) => response.end('{}'));
    await Promise.all([tlsServer, resetServer, plainServer].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  });
  afterAll(async () => {
    await Promise.all([tlsServer, resetServer, plainServer].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('a refused port names ECONNREFUSED, the host and port, and the URL', async () => {
    const port = await findClosedPort();
    const error = await failureOf(name, `http://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `${name}: network error: connection refused, nothing listens there (ECONNREFUSED) at 127.0.0.1:${port}, url http://127.0.0.1:${port}${SUFFIX[name]}`,
    );
  });

  it('an unresolvable host names the host and the lookup failure (ENOTFOUND, or EAI_AGAIN where there is no DNS)', async () => {
    // `.invalid` never resolves (RFC 6761): a resolver answers "no such host" at once, and a machine
    // without DNS fails the lookup itself. Either way the message says which and where.
    const error = await failureOf(name, 'http://nightshift-test.invalid');
    expect(error.message).toMatch(
      new RegExp(
        `^${name}: network error: host (not found, check the host name \\(ENOTFOUND\\)|name lookup failed, no DNS or no network \\(EAI_AGAIN\\)) ` +
          `at nightshift-test\\.invalid, url http://nightshift-test\\.invalid${SUFFIX[name].replace('/', '\\/')}$`,
      ),
    );
  });

  it('a certificate the client does not trust names the TLS error code', async () => {
    const origin = `https://127.0.0.1:${portOf(tlsServer)}`;
    const error = await failureOf(name, origin);
    expect(error.message).toBe(`${name}: network error: TLS certificate rejected (DEPTH_ZERO_SELF_SIGNED_CERT) at 127.0.0.1:${portOf(tlsServer)}, url ${origin}${SUFFIX[name]}`);
  });

  it('an https:// URL to a server that speaks plain HTTP names the TLS failure and the fix, not a certificate', async () => {
    const port = portOf(plainServer);
    const error = await failureOf(name, `https://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `${name}: network error: TLS handshake failed, the server does not speak TLS: if it serves plain HTTP, use an http:// URL ` +
        `(ERR_SSL_WRONG_VERSION_NUMBER) at 127.0.0.1:${port}, url https://127.0.0.1:${port}${SUFFIX[name]}`,
    );
  });

  it('a connection reset by the server says so', async () => {
    const error = await failureOf(name, `http://127.0.0.1:${portOf(resetServer)}`);
    expect(error.message).toMatch(new RegExp(`^${name}: network error: connection (reset by the server \\(ECONNRESET\\)|closed by the server \\(UND_ERR_SOCKET\\)) at 127\\.0\\.0\\.1`));
  });
});
