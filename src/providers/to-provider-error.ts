import { ProviderError } from '../core/errors.js';
import type { ProviderErrorKind, ProviderName, ProviderType } from '../core/types.js';
import { describeNetworkError } from './describe-network-error.js';
import { networkFailureCode } from './network-error-codes.js';
import type { RequestSignal } from './request-signal.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';
import { parseRetryAfter } from './retry-after.js';

const BODY_LIMIT = 500;

const NAME_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  // Timeouts raised by the SDKs' own timers (ours are recognised through RequestSignal).
  TimeoutError: 'timeout',
  APIConnectionTimeoutError: 'timeout',
  RequestTimeoutError: 'timeout',
  // A body that is not the JSON the SDK expects: all four SDKs surface a bare SyntaxError;
  // Mistral validates with zod and raises its own validation errors.
  SyntaxError: 'malformed',
  ResponseValidationError: 'malformed',
  SDKValidationError: 'malformed',
  InferenceClientProviderOutputError: 'malformed',
  // Mistral's SDK validates each streamed chunk with zod as the stream is read.
  ZodError: 'malformed',
  $ZodError: 'malformed',
  // Mistral's SDK: a 2xx reply it cannot read ("Unexpected Status or Content-Type", e.g. a gateway's HTML page).
  SDKError: 'malformed',
  MistralError: 'malformed',
  // Refused, reset or unreachable.
  APIConnectionError: 'network',
  ConnectionError: 'network',
  UnexpectedClientError: 'network',
  FetchError: 'network',
  AbortError: 'aborted',
  APIUserAbortError: 'aborted',
  RequestAbortedError: 'aborted',
  // Without an HTTP error status, these are errors the server sent inside a started stream
  // (`data: {"error": ...}`): the server failed mid-reply.
  APIError: 'server',
  InferenceClientProviderApiError: 'server',
};

export interface ErrorContext {
  readonly provider: ProviderName;
  /** The adapter's type: whose rate-limit header names to read. */
  readonly type: ProviderType;
  /** Removes the provider's key from every message and body. */
  readonly redact: (text: string) => string;
  readonly requestSignal: RequestSignal;
  /** The HTTP response, as the adapter's fetch saw it (some SDKs expose no headers on errors). */
  readonly response?: Response;
  /** The base URL the SDK was pointed at, for network errors (shown without query or credentials). */
  readonly url?: string;
}

/** Turns whatever an SDK threw into one ProviderError: status, kind, retry delay, truncated body. */
export function toProviderError(error: unknown, context: ErrorContext): ProviderError {
  const scrub = context.redact;
  const original = error instanceof Error ? error : new Error(String(error));
  const { provider } = context;
  // First: once the request's own signal fired, whatever the SDK made of it (Stainless SDKs end a
  // stream quietly on abort, which then reads as a reply cut short) is the abort's doing.
  if (context.requestSignal.callerAborted()) {
    return new ProviderError(`${provider}: request aborted`, { provider, kind: 'aborted', cause: original });
  }
  const timeoutReason = context.requestSignal.timeoutReason();
  if (timeoutReason !== undefined) {
    return new ProviderError(`${provider}: ${timeoutReason}`, { provider, kind: 'timeout', cause: original });
  }
  if (error instanceof ProviderError) return error;
  // Only an HTTP error status decides the kind: Mistral's SDK raises ResponseValidationError and
  // SDKError for an unreadable 200 reply, and those are malformed replies, to be retried.
  const status = errorStatusOf(error) ?? (context.response && !context.response.ok ? context.response.status : undefined);
  const headers = headersOf(error) ?? context.response?.headers;
  const body = bodyOf(error);
  if (status !== undefined) {
    const kind = kindForStatus(status);
    const retryAfterMs = parseRetryAfter(headers);
    const detail = body ? `: ${scrub(body)}` : '';
    const delay = retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
    return new ProviderError(`${provider}: HTTP ${status}${delay}${detail}`, {
      provider,
      kind,
      status,
      retryAfterMs,
      body: body === undefined ? undefined : scrub(body),
      rateLimit: parseRateLimitHeaders(headers, context.type),
      cause: scrubError(original, scrub),
    });
  }
  const kind = notAStream(context.response) ? 'malformed' : kindForName(original);
  // The SDKs' own words ("Connection error.", "fetch failed") say nothing of why: the cause chain does.
  const detail = (kind === 'network' ? describeNetworkError(error, context.url) : undefined) ?? original.message;
  return new ProviderError(`${provider}: ${kindLabel(kind)}: ${scrub(detail).slice(0, BODY_LIMIT)}`, {
    provider,
    kind,
    cause: scrubError(original, scrub),
  });
}

/** A 2xx answer to a streaming request that is not an event stream (a gateway's HTML page, plain JSON) cannot be read. */
function notAStream(response: Response | undefined): boolean {
  if (response === undefined || !response.ok) return false;
  return !(response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
}

function kindForStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'server';
  return 'bad_request';
}

function kindForName(error: Error): ProviderErrorKind {
  const byName = NAME_KINDS[error.name] ?? NAME_KINDS[error.constructor?.name ?? ''];
  if (byName) return byName;
  // Node's fetch: TypeError('fetch failed') with the socket error as cause.
  if (error instanceof TypeError && /fetch failed|terminated|socket/i.test(error.message)) return 'network';
  // Any other wrapper: the socket error somewhere in its cause chain, by the list that words it.
  return networkFailureCode(error) === undefined ? 'bad_request' : 'network';
}

function kindLabel(kind: ProviderErrorKind): string {
  return { malformed: 'malformed reply', network: 'network error', timeout: 'timeout', aborted: 'aborted' }[kind as string] ?? kind;
}

function errorStatusOf(error: unknown): number | undefined {
  const candidate = error as { status?: unknown; statusCode?: unknown; httpResponse?: { status?: unknown } } | null;
  const status = candidate?.status ?? candidate?.statusCode ?? candidate?.httpResponse?.status;
  return typeof status === 'number' && status >= 400 ? status : undefined;
}

function headersOf(error: unknown): Headers | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  return headers instanceof Headers ? headers : undefined;
}

function bodyOf(error: unknown): string | undefined {
  const candidate = error as { body?: unknown; error?: unknown; httpResponse?: { body?: unknown } } | null;
  const body = candidate?.body ?? candidate?.httpResponse?.body ?? candidate?.error;
  if (body === undefined || body === null || body === '') return undefined;
  const text = typeof body === 'string' ? body : safeStringify(body);
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}…` : text;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Keeps the SDK error as `cause` for debugging, minus any key it echoed. */
function scrubError(error: Error, scrub: (text: string) => string): Error {
  const copy = new Error(scrub(error.message));
  copy.name = error.name;
  return copy;
}
