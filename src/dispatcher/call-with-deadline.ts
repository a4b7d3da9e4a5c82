import { ProviderError } from '../core/errors.js';
import type { ChatProvider, ChatRequest, ChatResult } from '../core/types.js';

/** How long past its own timeout an adapter may take before the dispatcher gives up on it. */
export const DEADLINE_GRACE_MS = 1_000;

/**
 * What the watchdog's sleep is cancelled with once the call settled. `abort()` without a reason
 * builds a DOMException, stack and all, for every request, and nobody ever reads this one.
 */
const SETTLED = 'the call settled';

/**
 * Calls the adapter and settles as soon as `signal` aborts or the outer deadline (`timeoutMs`)
 * passes, even if the adapter does not: a hung call must not hold a concurrency slot forever. The
 * adapter still gets the abort through `request.signal`. A hung or stalled request normally ends
 * much sooner, in the adapter, at `firstByteTimeoutMs` / `idleTimeoutMs`; this is the backstop.
 */
export function callWithDeadline(
  provider: ChatProvider,
  request: ChatRequest,
  signal: AbortSignal,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
): Promise<ChatResult> {
  return new Promise<ChatResult>((resolve, reject) => {
    const call = new AbortController();
    const watchdog = new AbortController();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      watchdog.abort(SETTLED);
      return true;
    };
    const onAbort = (): void => {
      if (!settle()) return;
      call.abort(signal.reason);
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const deadlineMs = (request.timeoutMs ?? 60_000) + DEADLINE_GRACE_MS;
    sleep(deadlineMs, watchdog.signal).then(
      () => {
        if (watchdog.signal.aborted || !settle()) return;
        call.abort();
        reject(
          new ProviderError(`no reply from ${provider.name} within ${deadlineMs} ms`, {
            provider: provider.name,
            kind: 'timeout',
          }),
        );
      },
      () => undefined,
    );
    let pending: Promise<ChatResult>;
    try {
      pending = provider.complete({ ...request, signal: call.signal });
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => {
        if (settle()) resolve(result);
      },
      (error: unknown) => {
        if (settle()) reject(error);
      },
    );
  });
}
