/**
 * The dispatcher: per-provider pacing (requests/s, tokens/min, concurrency), routing of
 * conversations across providers, retries with full-jitter backoff, Retry-After pauses,
 * cooldown with half-open probes, and failover. Imports nothing from `src/` but `src/core/`.
 */
export { Dispatcher, type DispatchSession } from './dispatcher.js';
export type { DispatcherOptions, ProviderSlotOptions, DispatchLog, LogLevel } from './dispatcher-options.js';
export { DEFAULT_HEALTH_POLICY, type HealthPolicy } from './provider-health.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, type RetryPolicy } from './retry-policy.js';
export { DEFAULT_SILENCE_POLICY, type SilencePolicy } from './silence-limits.js';
export { DEFAULT_OUTPUT_TOKEN_ESTIMATE } from './budget-hold.js';
