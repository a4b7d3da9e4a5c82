/**
 * Why a provider could not be reached, in words a newcomer can act on: what happened, the error
 * code to search for, the host and the URL. Every SDK wraps Node's fetch, whose `TypeError: fetch
 * failed` holds the socket error (with `code`, `hostname` or `address`/`port`) as its cause; the
 * Mistral SDK and the Stainless SDKs (openai, together-ai) wrap that once more, Hugging Face does not.
 * The words for each code come from `network-error-codes.ts`, the list `toProviderError` classifies by.
 */
import { CAUSE_CHAIN_DEPTH, networkFailureWords } from './network-error-codes.js';

interface SocketFacts {
  code?: string;
  host?: string;
  /** The innermost error's own words ("bad port"), for a failure without a code. */
  innermost?: string;
}

/** "connection refused, nothing listens there (ECONNREFUSED) at 127.0.0.1:8787, url http://127.0.0.1:8787/v1", or undefined with nothing to tell. */
export function describeNetworkError(error: unknown, url: string | undefined): string | undefined {
  const facts = readCauseChain(error);
  const where = safeUrl(url);
  if (facts.code === undefined && where === undefined) return undefined;
  const parts: string[] = [];
  if (facts.code !== undefined) {
    const what = networkFailureWords(facts.code) ?? 'network failure';
    parts.push(`${what} (${facts.code})`);
  } else {
    parts.push(facts.innermost === undefined ? 'network failure' : `network failure: ${facts.innermost}`);
  }
  const host = facts.host ?? where?.host;
  if (host !== undefined) parts.push(`at ${host}`);
  return where === undefined ? parts.join(' ') : `${parts.join(' ')}, url ${where.shown}`;
}

function readCauseChain(error: unknown): SocketFacts {
  const facts: SocketFacts = {};
  let current: unknown = error;
  for (let depth = 0; depth < CAUSE_CHAIN_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as { code?: unknown; hostname?: unknown; address?: unknown; port?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && !candidate.code.startsWith('PROVIDER_')) facts.code ??= candidate.code;
    if (typeof candidate.hostname === 'string') facts.host ??= candidate.hostname;
    if (typeof candidate.address === 'string') facts.host ??= typeof candidate.port === 'number' ? `${candidate.address}:${candidate.port}` : candidate.address;
    if (depth > 0 && candidate.cause === undefined && current instanceof Error) facts.innermost = current.message.slice(0, 200);
    current = candidate.cause;
  }
  return facts;
}

/** Origin and path only: a URL may carry credentials or a token in its query. */
function safeUrl(url: string | undefined): { readonly host: string; readonly shown: string } | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return { host: parsed.host, shown: `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}` };
}
