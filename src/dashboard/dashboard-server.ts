import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decideAccess, TOKEN_COOKIE, type AccessRule } from './access-rule.js';
import type { DashboardData, DashboardSnapshot } from './dashboard-data.js';
import type { PageAsset } from './page-assets.js';

export interface DashboardServerOptions {
  readonly data: DashboardData;
  readonly assets: ReadonlyMap<string, PageAsset>;
  readonly access: AccessRule;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 8788 */
  readonly port?: number;
  /** How often the data directory is looked at for changes. @default 1000 */
  readonly pollIntervalMs?: number;
  /** A comment line on idle event streams, so proxies and phones keep them open. @default 15000 */
  readonly heartbeatMs?: number;
}

export interface DashboardServer {
  /** `http://host:port/`, without the token. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Headers on every answer: nothing cached (the numbers change), nothing loaded from elsewhere, the token never sent on. */
const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // uPlot sizes its elements with style attributes, hence 'unsafe-inline' for styles only.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
};

/**
 * Serves the page, its files, `/snapshot.json` and `/events` (server-sent events: the whole
 * snapshot at connection, then what changed). One timer reads the data directory for every
 * client; the server never talks to the daemon, so either may start or stop at any time.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const { data, assets, access } = options;
  const clients = new Set<ServerResponse>();
  await data.refresh();
  let latest = data.snapshot();
  let current = JSON.stringify(latest);
  let refreshing = false;

  const poll = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    data
      .refresh()
      .then((changed) => {
        if (!changed) return;
        const previous = latest;
        latest = data.snapshot();
        current = JSON.stringify(latest);
        const message = eventFor(previous, latest, current);
        for (const client of clients) client.write(message);
      })
      // A read that fails (a file mid-rotation) is tried again at the next tick; the page keeps the last snapshot.
      .catch(() => undefined)
      .finally(() => (refreshing = false));
  }, options.pollIntervalMs ?? 1000);
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': still here\n\n');
  }, options.heartbeatMs ?? 15_000);

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const decision = decideAccess(request, url, access);
    if (!decision.allowed) {
      send(response, decision.status, 'text/plain; charset=utf-8', `${decision.message}\n`);
      return;
    }
    if (decision.rememberToken && access.token !== undefined) {
      response.setHeader('set-cookie', `${TOKEN_COOKIE}=${access.token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'the dashboard only reads: expected GET\n');
      return;
    }
    if (url.pathname === '/events') {
      openEventStream(request, response, clients, current);
      return;
    }
    if (url.pathname === '/snapshot.json') {
      send(response, 200, 'application/json; charset=utf-8', current);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // Browsers ask for it unprompted; an empty answer keeps their console free of 404s.
      response.writeHead(204, COMMON_HEADERS).end();
      return;
    }
    const asset = assets.get(url.pathname);
    if (asset === undefined) {
      send(response, 404, 'text/plain; charset=utf-8', `nothing at ${url.pathname}: the dashboard is at /\n`);
      return;
    }
    send(response, 200, asset.contentType, asset.body);
  });

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8788, host, () => resolve());
    });
  } catch (error) {
    clearInterval(poll);
    clearInterval(heartbeat);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(poll);
        clearInterval(heartbeat);
        for (const client of clients) client.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The whole snapshot when the history was rebuilt or thinned; otherwise an `update` carrying only
 * the points appended since the previous one (`historyFrom` says where they go), which is what
 * keeps a phone left open all night from downloading the night's history every 30 seconds.
 */
function eventFor(previous: DashboardSnapshot, next: DashboardSnapshot, nextText: string): string {
  if (previous.historyEpoch !== next.historyEpoch || next.history.length < previous.history.length) {
    return `event: snapshot\ndata: ${nextText}\n\n`;
  }
  const { history, ...rest } = next;
  const update = { ...rest, historyFrom: previous.history.length, historyTail: history.slice(previous.history.length) };
  return `event: update\ndata: ${JSON.stringify(update)}\n\n`;
}

function openEventStream(request: IncomingMessage, response: ServerResponse, clients: Set<ServerResponse>, current: string): void {
  response.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
  // The browser reconnects by itself after 2 s when the dashboard restarts.
  response.write(`retry: 2000\nevent: snapshot\ndata: ${current}\n\n`);
  clients.add(response);
  request.on('close', () => clients.delete(response));
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
