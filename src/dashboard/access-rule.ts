import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who may read the dashboard. */
export interface AccessRule {
  /** Required on every request when set (the server listens beyond loopback). */
  readonly token: string | undefined;
  /** Loopback only: requests must name a loopback host, so a web page cannot reach us through DNS rebinding. */
  readonly loopbackOnly: boolean;
}

export type AccessDecision =
  | { readonly allowed: true; /** The token came in the query: remember it in a cookie for the page's files. */ readonly rememberToken: boolean }
  | { readonly allowed: false; readonly status: 401 | 403; readonly message: string };

export const TOKEN_COOKIE = 'nightshift_dashboard_token';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** 127.0.0.0/8, ::1 and localhost: the addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** 24 random bytes, URL-safe: printed once at start, never logged elsewhere. */
export function createAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Decides one request: the token (query, `Authorization: Bearer`, or the cookie) and, on loopback, the Host header. */
export function decideAccess(request: IncomingMessage, url: URL, rule: AccessRule): AccessDecision {
  if (rule.loopbackOnly) {
    const hostName = (request.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopbackHost(hostName)) {
      return { allowed: false, status: 403, message: `expected a loopback Host header (127.0.0.1 or localhost), found "${hostName}": open the address the dashboard printed` };
    }
  }
  if (rule.token === undefined) return { allowed: true, rememberToken: false };
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && sameToken(fromQuery, rule.token)) return { allowed: true, rememberToken: true };
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const cookie = readCookie(request.headers.cookie ?? '', TOKEN_COOKIE);
  if ((bearer !== undefined && sameToken(bearer, rule.token)) || (cookie !== undefined && sameToken(cookie, rule.token))) {
    return { allowed: true, rememberToken: false };
  }
  return {
    allowed: false,
    status: 401,
    message: 'this dashboard needs the token printed when it started: open the full address it printed (…/?token=…)',
  };
}

/** Compares in constant time, so the token cannot be guessed a character at a time from response times. */
function sameToken(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
