/**
 * The real clock and timer, used when the caller injects none. `setTimeout` is looked up at call
 * time (not captured at import) so `vi.useFakeTimers()` controls it in tests.
 */
export function realNow(): number {
  return Date.now();
}

/** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
