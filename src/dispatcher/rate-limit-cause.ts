import type { ProviderError } from '../core/errors.js';

/**
 * What a 429 says went wrong: `requests`, the request rate was exceeded (our pace, or a rate set
 * above the server's); `tokens`, the token rate was; `other`, the server is busy or a quota is spent,
 * which says nothing about our pace.
 */
export type RateLimitCause = 'requests' | 'tokens' | 'other';

/**
 * Busy servers and spent quotas also answer 429: Mistral "service tier capacity exceeded" (3505),
 * OpenAI "model overloaded" and "exceeded your current quota", TGI's full queue ("overloaded").
 */
const NOT_THE_RATE = /overload|capacity|busy|not ready|quota|billing|credit/i;
/** OpenAI: "Rate limit reached … on tokens per min (TPM)"; Mistral and Together name tokens too. */
const TOKENS = /token/i;

/**
 * Reads the cause from what the answer carried: the rate-limit headers first (a limit with
 * nothing remaining is the one that refused), then the words of the body. A 429 that says
 * nothing either way is taken as the request rate, the usual meaning of the status.
 */
export function rateLimitCause(error: ProviderError): RateLimitCause {
  const reported = error.rateLimit;
  const requestsLeft = reported?.requests?.remaining;
  const tokensLeft = reported?.tokens?.remaining;
  if (requestsLeft !== undefined && requestsLeft < 1) return 'requests';
  if (tokensLeft !== undefined && tokensLeft < 1) return 'tokens';
  // Both limits reported with room left: the refusal came from something else.
  if (requestsLeft !== undefined && (reported?.tokens === undefined || tokensLeft !== undefined)) return 'other';
  const text = error.body ?? '';
  if (NOT_THE_RATE.test(text)) return 'other';
  if (TOKENS.test(text)) return 'tokens';
  return 'requests';
}
