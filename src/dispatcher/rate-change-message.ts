import type { ProviderName } from '../core/types.js';
import type { LogLevel } from './dispatcher-options.js';
import type { RateChange } from './slot-contract.js';

/** One log line: level, words, fields. */
export type LogLine = readonly [LogLevel, string, Record<string, unknown>];

/** Where the pace stands apart from the change: its rate before 429s slow it, and where that rate comes from. */
export interface PaceBase {
  readonly requestsPerSecond: number;
  /** Whether that rate is the server's reported one rather than the configured one. */
  readonly fromHeaders: boolean;
  readonly rateRecoveryMs: number;
}

const HEADER_NAMES: Readonly<Record<string, string>> = {
  openai: 'x-ratelimit-*-requests / -tokens',
  together: 'x-ratelimit-* / x-tokenlimit-*',
  mistral: 'x-ratelimitbysize-*',
};

/** The log line for a change of a provider's pace; each is logged once per change. */
export function describeRateChange(provider: ProviderName, change: RateChange, before: PaceBase): LogLine {
  const base = `${before.fromHeaders ? 'reported' : 'configured'} ${formatRate(before.requestsPerSecond)} requests/s`;
  switch (change.kind) {
    case 'restored':
      return ['info', `provider ${provider} back at its ${base}`, { provider, requestsPerSecond: change.requestsPerSecond }];
    case 'slowed':
      return [
        'warn',
        `provider ${provider} answered 429 without Retry-After; pacing it below its ${base} ` +
          `(now ${formatRate(change.requestsPerSecond)}), halving again on each further 429 and ` +
          `back in full ${Math.round(before.rateRecoveryMs / 1000)} s after the last one at most`,
        { provider, requestsPerSecond: change.requestsPerSecond },
      ];
    case 'margin':
      return [
        'info',
        `provider ${provider} answered 429: request rate exceeded at its own pace (arrivals at the server jitter); ` +
          `widening its spacing by a learned margin (${formatRate(change.marginMs)} ms per one-second window, ` +
          `now ${formatRate(change.requestsPerSecond)} requests/s), which grows on each such 429 and narrows again while none comes`,
        { provider, marginMs: change.marginMs, requestsPerSecond: change.requestsPerSecond },
      ];
    case 'corrected':
      return [
        // A wrong configuration is worth a warning; a dynamic limit moving is not.
        change.previousFromHeaders ? 'info' : 'warn',
        `provider ${provider}: its rate-limit headers (${HEADER_NAMES[change.style] ?? change.style}) report ` +
          `${formatRate(change.requestsPerSecond)} requests/s; pacing at that instead of the ` +
          `${change.previousFromHeaders ? 'reported' : 'configured'} ${formatRate(change.previousPerSecond)}`,
        { provider, requestsPerSecond: change.requestsPerSecond, previousPerSecond: change.previousPerSecond },
      ];
    case 'tokens':
      return [
        'info',
        `provider ${provider}: its rate-limit headers (${HEADER_NAMES[change.style] ?? change.style}) report ` +
          `${Math.round(change.tokensPerMinute).toLocaleString('en')} tokens/minute; budgeting tokens at that` +
          (change.previousPerMinute === undefined ? '' : ` instead of ${Math.round(change.previousPerMinute).toLocaleString('en')}`),
        { provider, tokensPerMinute: change.tokensPerMinute, previousPerMinute: change.previousPerMinute },
      ];
    case 'tokens-bind': {
      const budget = `${Math.round(change.tokensPerMinute).toLocaleString('en')} tokens/minute`;
      return [
        'warn',
        `provider ${provider}: its token budget (${budget}, ${change.fromHeaders ? 'reported by its rate-limit headers' : 'tokens_per_minute or the provider\'s default'}) ` +
          `holds it to about ${formatRate(change.requestsPerSecond)} requests/s at the ${Math.round(change.tokensPerRequest).toLocaleString('en')} tokens ` +
          `its requests use, below its ${base}` +
          (change.fromHeaders ? '' : `; if your tier allows more tokens, set providers.${provider}.tokens_per_minute in secrets.json`),
        { provider, requestsPerSecond: change.requestsPerSecond, tokensPerMinute: change.tokensPerMinute, tokensPerRequest: Math.round(change.tokensPerRequest) },
      ];
    }
  }
}

/** Three significant digits at most: 2.67, 0.125, 8. */
export function formatRate(value: number): string {
  return String(Number(value.toPrecision(3)));
}
