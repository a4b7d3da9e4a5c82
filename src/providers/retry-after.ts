/** Retry-After values above this are treated as "the provider is down for a while", not obeyed blindly. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/**
 * The delay a server asked for, from `retry-after-ms` (OpenAI, Together: milliseconds, may be
 * fractional) or `Retry-After` (RFC 9110: delay-seconds or an HTTP-date). Undefined if neither is
 * present or parseable.
 */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return clamp(value);
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds)) return seconds >= 0 ? clamp(seconds * 1000) : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.max(0, date - now));
}

function clamp(milliseconds: number): number {
  return Math.min(Math.round(milliseconds), MAX_RETRY_AFTER_MS);
}
