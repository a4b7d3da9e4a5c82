import { describe, expect, it } from 'vitest';
import { THREADS_FROM_REQUESTS_PER_SECOND, useProviderThreads } from '../../src/runner/provider-threads.js';

describe('whether a run gives each provider SDK a thread of its own', () => {
  it('auto: from 30 requests/s in all, on a machine with two cores or more', () => {
    expect(THREADS_FROM_REQUESTS_PER_SECOND).toBe(30);
    // The free tiers (Mistral 1, Together 1, Hugging Face about 0.5) and the bench's main workload stay in one thread.
    expect(useProviderThreads('auto', [1, 1, 0.5], 2)).toBe(false);
    expect(useProviderThreads('auto', [8, 8, 4], 2)).toBe(false);
    expect(useProviderThreads('auto', [15, 15], 2)).toBe(true);
    expect(useProviderThreads('auto', [60, 60], 8)).toBe(true);
    // One core: a thread only adds a heap and a copy of the SDK, it cannot run beside the conversations.
    expect(useProviderThreads('auto', [60, 60], 1)).toBe(false);
  });

  it('on and off are what the user said, whatever the rates and cores', () => {
    expect(useProviderThreads('on', [1], 1)).toBe(true);
    expect(useProviderThreads('off', [60, 60], 8)).toBe(false);
  });
});
