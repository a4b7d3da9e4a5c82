import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { PROVIDER_TYPES, type ProviderType } from '../core/types.js';
import { checkEmulatorOptions, checkProviderOptions } from './check-emulator-options.js';
import { ProviderTally, snapshotTallies } from './counters.js';
import type { Emulator, EmulatorCounters, EmulatorOptions, EmulatorProviderOptions } from './emulator-options.js';
import { handleChatCompletion, type ChatEnvironment } from './handle-chat-completion.js';
import { hasBearerToken, sendJson } from './http-io.js';
import { PendingResponses } from './pending-responses.js';
import { providerErrorResponse } from './provider-errors.js';
import { ProviderState } from './provider-state.js';
import { OpeningMemory } from './defects.js';

const HOST = '127.0.0.1';
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
const COUNTERS_PATH = '/_emulator/counters';
const MODEL_IDS = ['emulator-tester', 'emulator-assistant', 'emulator-rewriter'] as const;

/** The path prefix each SDK is pointed at (brief: "Emulator URL layout"). */
const BASE_PATHS: Readonly<Record<ProviderType, string>> = {
  mistral: '/mistral',
  together: '/together/v1',
  huggingface: '/huggingface',
  openai_compatible: '/openai_compatible/v1',
};

type Route = { readonly provider: ProviderType; readonly endpoint: 'chat' | 'models' };

const ROUTES: ReadonlyMap<string, Route> = new Map(
  PROVIDER_TYPES.flatMap((provider): [string, Route][] => [
    [`/${provider}/v1/chat/completions`, { provider, endpoint: 'chat' }],
    [`/${provider}/v1/models`, { provider, endpoint: 'models' }],
  ]),
);

/** Starts the emulator on 127.0.0.1 and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkEmulatorOptions(options);
  const seed = options.seed ?? 1;
  const startedAt = performance.now();
  const now = (): number => performance.now() - startedAt;
  const states = {} as Record<ProviderType, ProviderState>;
  for (const provider of PROVIDER_TYPES) {
    states[provider] = new ProviderState(provider, seed, options.defaults, options.providers?.[provider], now());
  }
  let sequence = 0;
  const pending = new PendingResponses();
  const environment: ChatEnvironment = { seed, openings: new OpeningMemory(), pending, now, nextSequence: () => ++sequence };
  const counters = (): EmulatorCounters => snapshotTallies(mapStates(states, (state) => state.tally));

  const server = createServer((request, response) => route(request, response, states, environment, counters));
  // Longer than the SDKs' own idle timeouts, so the server never closes a socket a client is
  // about to reuse (that race shows up as a spurious ECONNRESET in long benchmarks).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const url = await listen(server, options.port ?? 0);
  const baseUrls = Object.fromEntries(
    PROVIDER_TYPES.map((provider) => [provider, `${url}${BASE_PATHS[provider]}`]),
  ) as Record<ProviderType, string>;

  return {
    url,
    baseUrls: Object.freeze(baseUrls),
    configure(provider: ProviderType, providerOptions: EmulatorProviderOptions): void {
      const state = states[provider];
      if (state === undefined) throw new RangeError(`Expected a provider among ${PROVIDER_TYPES.join(', ')}, got \`${provider}\``);
      checkProviderOptions(providerOptions, provider);
      state.configure(options.defaults, providerOptions, now());
    },
    counters,
    resetCounters(): void {
      for (const provider of PROVIDER_TYPES) states[provider].tally = new ProviderTally();
    },
    heldResponses: () => pending.hungCount,
    close: () => closeServer(server, pending),
  };
}

function route(
  request: IncomingMessage,
  response: ServerResponse,
  states: Readonly<Record<ProviderType, ProviderState>>,
  environment: ChatEnvironment,
  counters: () => EmulatorCounters,
): void {
  const queryAt = request.url?.indexOf('?') ?? -1;
  const path = queryAt >= 0 ? (request.url ?? '').slice(0, queryAt) : (request.url ?? '');
  const target = ROUTES.get(path);
  if (target !== undefined && target.endpoint === 'chat' && request.method === 'POST') {
    handleChatCompletion(states[target.provider], request, response, environment);
    return;
  }
  request.resume();
  if (target !== undefined && target.endpoint === 'models' && request.method === 'GET') {
    sendModels(target.provider, request, response);
  } else if (path === COUNTERS_PATH && request.method === 'GET') {
    sendJson(response, 200, JSON.stringify(counters()));
  } else {
    const provider = PROVIDER_TYPES.find((name) => path.startsWith(`/${name}/`)) ?? 'openai_compatible';
    const error = providerErrorResponse(provider, 'not_found', `Unknown request URL: ${request.method ?? 'GET'} ${path}.`);
    sendJson(response, error.status, error.body);
  }
}

function sendModels(provider: ProviderType, request: IncomingMessage, response: ServerResponse): void {
  if (!hasBearerToken(request)) {
    const error = providerErrorResponse(provider, 'auth');
    sendJson(response, error.status, error.body);
    return;
  }
  const created = Math.floor(Date.now() / 1000);
  const data = MODEL_IDS.map((id) => ({ id, object: 'model', created, owned_by: 'nightshift-emulator' }));
  sendJson(response, 200, JSON.stringify({ object: 'list', data }));
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${HOST}:${address.port}`);
    });
  });
}

function closeServer(server: Server, pending: PendingResponses): Promise<void> {
  pending.closeAll();
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // Keep-alive sockets of idle SDK clients would otherwise hold `close` open for seconds.
    server.closeAllConnections();
  });
}

function mapStates<T>(states: Readonly<Record<ProviderType, ProviderState>>, select: (state: ProviderState) => T): Record<ProviderType, T> {
  const mapped = {} as Record<ProviderType, T>;
  for (const provider of PROVIDER_TYPES) mapped[provider] = select(states[provider]);
  return mapped;
}
