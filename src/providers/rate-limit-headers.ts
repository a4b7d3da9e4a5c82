import type { ProviderType, RateLimitSnapshot, ReportedLimit } from '../core/types.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;

/** Windows some OpenAI-compatible servers spell out in the header name (`x-ratelimit-limit-requests-day`). */
const NAMED_WINDOWS: readonly (readonly [string, number])[] = [
  ['second', SECOND_MS],
  ['minute', MINUTE_MS],
  ['hour', 3_600_000],
  ['day', 86_400_000],
];

/**
 * A reset this much past the window still belongs to it: a server that rounds up, or whose clock
 * ticked between counting and writing, says "1.001" of a one-second window. The longer windows
 * the rule below guards against are minutes against seconds, or a day against a minute.
 */
const RESET_SLACK = 1.1;

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;
const DURATION_UNITS: Readonly<Record<string, number>> = { h: 3_600_000, m: MINUTE_MS, s: SECOND_MS, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };

/**
 * Reads a provider's rate-limit headers into one snapshot, whatever their names and units:
 * - OpenAI, and the servers that copy it: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`,
 *   limits per minute, resets as Go durations ("1s", "6m0s", "12ms"); some spell the window out
 *   (`-requests-day`, `-tokens-minute`), and then the tightest request limit wins.
 * - Together: `x-ratelimit-{limit,remaining,reset}` in requests per second (reset in seconds) and
 *   `x-tokenlimit-{limit,remaining}` in tokens per second (https://docs.together.ai/docs/rate-limits).
 *   Other servers use the same bare names for other windows (per minute, per hour), so they are
 *   read only from the `together` type, or when the type is not said.
 * - Mistral: tokens only (`x-ratelimitbysize-{limit,remaining}-minute`, `ratelimitbysize-reset` in
 *   seconds); its monthly token budget is a budget, not a pace, and is left out.
 * Undefined when none is present or readable.
 */
export function parseRateLimitHeaders(headers: Headers | undefined, type?: ProviderType): RateLimitSnapshot | undefined {
  if (headers === undefined) return undefined;
  const together = type === undefined || type === 'together' ? togetherStyle(headers) : undefined;
  return openAiStyle(headers) ?? together ?? mistralStyle(headers);
}

/** Requests per second a reported request limit allows. */
export function limitPerSecond(limit: ReportedLimit): number {
  return (limit.limit * SECOND_MS) / limit.windowMs;
}

/** Tokens per minute a reported token limit allows. */
export function limitPerMinute(limit: ReportedLimit): number {
  return (limit.limit * MINUTE_MS) / limit.windowMs;
}

function openAiStyle(headers: Headers): RateLimitSnapshot | undefined {
  const requests = tightest([
    reported(headers, 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests', MINUTE_MS),
    ...NAMED_WINDOWS.map(([name, windowMs]) =>
      reported(headers, `x-ratelimit-limit-requests-${name}`, `x-ratelimit-remaining-requests-${name}`, `x-ratelimit-reset-requests-${name}`, windowMs),
    ),
  ]);
  const tokens = tightest([
    reported(headers, 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens', MINUTE_MS),
    ...NAMED_WINDOWS.map(([name, windowMs]) =>
      reported(headers, `x-ratelimit-limit-tokens-${name}`, `x-ratelimit-remaining-tokens-${name}`, `x-ratelimit-reset-tokens-${name}`, windowMs),
    ),
  ]);
  return snapshot('openai', requests, tokens);
}

function togetherStyle(headers: Headers): RateLimitSnapshot | undefined {
  const requests = reported(headers, 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', SECOND_MS);
  const tokens = reported(headers, 'x-tokenlimit-limit', 'x-tokenlimit-remaining', undefined, SECOND_MS);
  return snapshot('together', requests, tokens);
}

function mistralStyle(headers: Headers): RateLimitSnapshot | undefined {
  const tokens =
    reported(headers, 'x-ratelimitbysize-limit-minute', 'x-ratelimitbysize-remaining-minute', 'ratelimitbysize-reset', MINUTE_MS) ??
    reported(headers, 'ratelimitbysize-limit', 'ratelimitbysize-remaining', 'ratelimitbysize-reset', MINUTE_MS);
  return snapshot('mistral', undefined, tokens);
}

function snapshot(
  style: RateLimitSnapshot['style'],
  requests: ReportedLimit | undefined,
  tokens: ReportedLimit | undefined,
): RateLimitSnapshot | undefined {
  if (requests === undefined && tokens === undefined) return undefined;
  return { style, ...(requests === undefined ? {} : { requests }), ...(tokens === undefined ? {} : { tokens }) };
}

/** The limit that allows the fewest per second, or undefined when none was reported. */
function tightest(limits: readonly (ReportedLimit | undefined)[]): ReportedLimit | undefined {
  let best: ReportedLimit | undefined;
  for (const limit of limits) {
    if (limit !== undefined && (best === undefined || limitPerSecond(limit) < limitPerSecond(best))) best = limit;
  }
  return best;
}

/**
 * One limit from its three headers, in the window its name implies. A reset longer than that
 * window means the limit runs over some longer one (xAI and OpenAI's free tiers report a daily
 * request limit under the per-minute name; OpenAI's own example resets tokens in "6m0s"), which
 * the headers do not name: such a limit is left out rather than paced on a guess.
 */
function reported(
  headers: Headers,
  limitName: string,
  remainingName: string,
  resetName: string | undefined,
  conventionalWindowMs: number,
): ReportedLimit | undefined {
  const limit = positiveNumber(headers.get(limitName));
  if (limit === undefined) return undefined;
  const remaining = nonNegativeNumber(headers.get(remainingName));
  const resetMs = resetName === undefined ? undefined : parseReset(headers.get(resetName), resetName.startsWith('x-ratelimit-reset-'));
  if (resetMs !== undefined && resetMs > conventionalWindowMs * RESET_SLACK) return undefined;
  return {
    limit,
    windowMs: conventionalWindowMs,
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetMs === undefined ? {} : { resetMs }),
  };
}

/** OpenAI's resets are Go durations ("6m0s", "12ms"); the others' are seconds ("1", "0.25"). */
function parseReset(text: string | null, goDuration: boolean): number | undefined {
  if (text === null) return undefined;
  const trimmed = text.trim();
  const seconds = nonNegativeNumber(trimmed);
  if (seconds !== undefined) return seconds * SECOND_MS;
  if (!goDuration) return undefined;
  return parseGoDuration(trimmed);
}

/** "1h2m3.5s" → 3_723_500; undefined unless the whole text is duration parts. */
export function parseGoDuration(text: string): number | undefined {
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    if (match.index !== consumed) return undefined;
    total += Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    consumed += match[0].length;
  }
  return consumed > 0 && consumed === text.length ? total : undefined;
}

function positiveNumber(text: string | null): number | undefined {
  const value = nonNegativeNumber(text);
  return value !== undefined && value > 0 ? value : undefined;
}

function nonNegativeNumber(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
