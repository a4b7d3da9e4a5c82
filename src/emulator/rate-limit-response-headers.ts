import type { ProviderType } from '../core/types.js';
import type { LimiterStatus } from './rate-limiter.js';

/**
 * Whose rate-limit headers the emulator sends. Each provider names and scales them its own way:
 * - `openai` (OpenAI, and the OpenAI-compatible proxies that copy it): `x-ratelimit-limit-requests`
 *   per minute, `-remaining-requests`, `-reset-requests` as a Go duration ("1s", "6m0s", "12ms"),
 *   and the same three for tokens per minute
 *   (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers).
 * - `together`: `x-ratelimit-limit` / `-remaining` in requests per second, `x-ratelimit-reset` in
 *   seconds, `x-tokenlimit-limit` / `-remaining` in tokens per second
 *   (https://docs.together.ai/docs/rate-limits).
 * - `mistral`: tokens only, no request count: `x-ratelimitbysize-limit-minute` /
 *   `-remaining-minute`, and `ratelimitbysize-limit` / `-remaining` / `-reset` (seconds).
 */
export type RateLimitHeaderStyle = 'openai' | 'together' | 'mistral';

export const RATE_LIMIT_HEADER_STYLES: readonly RateLimitHeaderStyle[] = ['openai', 'together', 'mistral'];

/** The style each provider's real API uses; Hugging Face's router and local servers follow OpenAI's. */
export const NATIVE_HEADER_STYLE: Readonly<Record<ProviderType, RateLimitHeaderStyle>> = {
  mistral: 'mistral',
  together: 'together',
  huggingface: 'openai',
  openai_compatible: 'openai',
};

export interface LimitsInForce {
  /** The request limiter's state and the rate it enforces, if it has one. */
  readonly requests?: { readonly status: LimiterStatus; readonly requestsPerSecond: number };
  /** The tokens-per-minute limiter's state, if it has one. */
  readonly tokens?: LimiterStatus;
}

/** The headers of one answer in `style`; empty for what that provider does not report. */
export function rateLimitResponseHeaders(style: RateLimitHeaderStyle, limits: LimitsInForce): Record<string, string> {
  const headers: Record<string, string> = {};
  const { requests, tokens } = limits;
  switch (style) {
    case 'openai':
      if (requests !== undefined) {
        // Per minute, as a bucket: what is left of the window, scaled to a minute's worth.
        const perMinute = requests.requestsPerSecond * 60;
        headers['x-ratelimit-limit-requests'] = String(round(perMinute));
        headers['x-ratelimit-remaining-requests'] = String(Math.floor((requests.status.remaining / requests.status.limit) * perMinute));
        headers['x-ratelimit-reset-requests'] = goDuration(requests.status.resetMs);
      }
      if (tokens !== undefined) {
        headers['x-ratelimit-limit-tokens'] = String(tokens.limit);
        headers['x-ratelimit-remaining-tokens'] = String(tokens.remaining);
        headers['x-ratelimit-reset-tokens'] = goDuration(tokens.resetMs);
      }
      return headers;
    case 'together':
      if (requests !== undefined) {
        headers['x-ratelimit-limit'] = String(round(requests.requestsPerSecond));
        headers['x-ratelimit-remaining'] = String(requests.status.remaining);
        headers['x-ratelimit-reset'] = String(round(requests.status.resetMs / 1000));
      }
      if (tokens !== undefined) {
        headers['x-tokenlimit-limit'] = String(round(tokens.limit / 60));
        headers['x-tokenlimit-remaining'] = String(Math.floor(tokens.remaining / 60));
      }
      return headers;
    case 'mistral':
      if (tokens !== undefined) {
        headers['x-ratelimitbysize-limit-minute'] = String(tokens.limit);
        headers['x-ratelimitbysize-remaining-minute'] = String(tokens.remaining);
        headers['ratelimitbysize-limit'] = String(tokens.limit);
        headers['ratelimitbysize-remaining'] = String(tokens.remaining);
        headers['ratelimitbysize-reset'] = String(Math.ceil(tokens.resetMs / 1000));
      }
      return headers;
  }
}

/** Go's `time.Duration` text, as OpenAI writes its resets: "12ms", "1s", "17.28s", "6m0s", "1h2m3s". */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = (whole % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

function round(value: number): number {
  return Number(value.toFixed(3));
}
