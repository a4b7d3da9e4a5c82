import { availableParallelism } from 'node:os';
import type { ProviderType } from '../core/types.js';
import { loadAdapters, type AdapterLoading } from '../providers/load-adapters.js';
import { startProviderThreads } from '../providers/threaded-adapters.js';

export const PROVIDER_THREAD_MODES = ['auto', 'on', 'off'] as const;
export type ProviderThreadMode = (typeof PROVIDER_THREAD_MODES)[number];

/**
 * Configured request rates, all providers together, from which `auto` gives each SDK a thread of
 * its own. Reading one streamed reply through an SDK costs 6–9 ms of CPU, most of what a request
 * costs the daemon; at 100 requests/s that is most of the main thread's time beside the
 * conversations' own work. Measured on 2 cores (the emulator on the same machine): at 60 + 60
 * requests/s threads made no difference over 5,000 conversations (0.937 with, 0.940 without), at
 * 100 + 100 they gained 1.2 to 1.7 points; each thread costs its own heap and its own copy of its SDK
 * (about 65 MB with Mistral and Together) and the messages between threads add CPU, so below this
 * rate they are not worth it.
 */
export const THREADS_FROM_REQUESTS_PER_SECOND = 100;

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
