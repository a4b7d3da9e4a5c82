import type { ProviderErrorKind, ProviderName, RateLimitSnapshot } from './types.js';

/** Base of every error nightshift raises on purpose: a stable `code` and an optional `cause`. */
export class NightshiftError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NightshiftError';
  }
}

/**
 * A configuration problem: what is wrong, where, and how to fix it. The CLI prints the message
 * and exits with code 2 without writing anything.
 */
export class ConfigError extends NightshiftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

export interface ProviderErrorDetails {
  readonly provider: ProviderName;
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  /** The delay the server asked for (Retry-After seconds or HTTP date, retry-after-ms). */
  readonly retryAfterMs?: number;
  /** The start of the response body, truncated; never contains the request's key. */
  readonly body?: string;
  /** The response's rate-limit headers, when it had some. */
  readonly rateLimit?: RateLimitSnapshot;
  readonly cause?: unknown;
}

const RETRYABLE_KINDS: ReadonlySet<ProviderErrorKind> = new Set([
  'rate_limit',
  'server',
  'timeout',
  'network',
  'malformed',
]);

/** Every provider failure, whatever SDK raised it, becomes one of these. */
export class ProviderError extends NightshiftError {
  readonly provider: ProviderName;
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly body: string | undefined;
  readonly rateLimit: RateLimitSnapshot | undefined;
  /** Whether the same request may succeed if sent again (after a delay). */
  readonly retryable: boolean;

  constructor(message: string, details: ProviderErrorDetails) {
    super(`PROVIDER_${details.kind.toUpperCase()}`, message, { cause: details.cause });
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.kind = details.kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body;
    this.rateLimit = details.rateLimit;
    this.retryable = RETRYABLE_KINDS.has(details.kind);
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
