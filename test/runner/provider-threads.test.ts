import { describe, expect, it } from 'vitest';
import { THREADS_FROM_REQUESTS_PER_SECOND, chooseProviderThreads } from '../../src/runner/provider-threads.js';

describe('whether a run gives each provider SDK a thread of its own', () => {
  it('auto: from 100 requests/s in all, on a machine with two cores or more', () => {
    expect(THREADS_FROM_REQUESTS_PER_SECOND).toBe(100);
    // The free tiers (Mistral 1, Together 1, Hugging Face about 0.5) and the bench's main workload stay in one thread.
    expect(chooseProviderThreads('auto', [1, 1, 0.5], 2)).toEqual({ threaded: false, reason: 'provider threads off (auto: 2.5 requests/s in all < 100, 2 cores)' });
    expect(chooseProviderThreads('auto', [8, 8, 4], 2).threaded).toBe(false);
    expect(chooseProviderThreads('auto', [40, 40], 2).threaded).toBe(false);
    expect(chooseProviderThreads('auto', [50, 50], 2)).toEqual({ threaded: true, reason: 'provider threads on (auto: 100 requests/s in all, 2 cores)' });
    expect(chooseProviderThreads('auto', [60, 60], 8).threaded).toBe(true);
    // One core: a thread only adds a heap and a copy of the SDK, it cannot run beside the conversations.
    expect(chooseProviderThreads('auto', [60, 60], 1)).toEqual({ threaded: false, reason: 'provider threads off (auto: 120 requests/s in all, 1 core)' });
  });

  it('on and off are what the user said, whatever the rates and cores', () => {
    expect(chooseProviderThreads('on', [1], 1)).toEqual({ threaded: true, reason: 'provider threads on (--provider-threads on)' });
    expect(chooseProviderThreads('off', [60, 60], 8)).toEqual({ threaded: false, reason: 'provider threads off (--provider-threads off)' });
  });
});
