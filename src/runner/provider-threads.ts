import { availableParallelism } from 'node:os';
import type { ProviderType } from '../core/types.js';
import { loadAdapters, type AdapterLoading } from '../providers/load-adapters.js';
import { startProviderThreads } from '../providers/threaded-adapters.js';

export const PROVIDER_THREAD_MODES = ['auto', 'on', 'off'] as const;
export type ProviderThreadMode = (typeof PROVIDER_THREAD_MODES)[number];

/**
 * Configured request rates, all providers together, from which `auto` gives each SDK a thread of
 * its own. Reading one streamed reply through an SDK costs 6–9 ms of CPU, about three quarters of
 * what a conversation costs the daemon per request; at 30 requests/s that is a quarter of a core on
 * the main thread, where the conversations wait for it. Below that a thread buys little and costs
 * memory: each holds its own heap and its own copy of its SDK (about 30 MB, Mistral's about 60).
 */
export const THREADS_FROM_REQUESTS_PER_SECOND = 30;

export interface ProviderThreadChoice {
  readonly threaded: boolean;
  /** The choice and why, for the start line: "provider threads on (auto: 120 requests/s in all, 2 cores)". */
  readonly reason: string;
}

/** Whether this run gives each provider SDK a thread of its own, and why. */
export function chooseProviderThreads(
  mode: ProviderThreadMode,
  requestsPerSecond: readonly number[],
  cores: number = availableParallelism(),
): ProviderThreadChoice {
  if (mode !== 'auto') return { threaded: mode === 'on', reason: `provider threads ${mode} (--provider-threads ${mode})` };
  const total = requestsPerSecond.reduce((sum, rate) => sum + rate, 0);
  const threaded = cores >= 2 && total >= THREADS_FROM_REQUESTS_PER_SECOND;
  const rates = `${Number(total.toFixed(2))} requests/s in all${threaded ? '' : total < THREADS_FROM_REQUESTS_PER_SECOND ? ` < ${THREADS_FROM_REQUESTS_PER_SECOND}` : ''}`;
  return { threaded, reason: `provider threads ${threaded ? 'on' : 'off'} (auto: ${rates}, ${cores} core${cores === 1 ? '' : 's'})` };
}

/** The adapters of the configured providers: loaded in the main thread, or each type in a worker thread of its own. */
export function openAdapters(types: readonly ProviderType[], threaded: boolean): AdapterLoading {
  return threaded ? startProviderThreads(types) : loadAdapters(types);
}
