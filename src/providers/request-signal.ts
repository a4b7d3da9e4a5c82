/** The three limits one request runs under, all in ms; absent or 0 means none. */
export interface RequestLimits {
  /** The whole request, however steadily it streams. */
  readonly timeoutMs?: number;
  /** Until the first byte of the response body. */
  readonly firstByteTimeoutMs?: number;
  /** Between two pieces of the body once it has started. */
  readonly idleTimeoutMs?: number;
}

/**
 * Combines the caller's AbortSignal with the request's own limits, and remembers which one fired,
 * because every SDK reports them all as the same "aborted" error. The silence limits are watched
 * with one timer that is re-armed only when it fires early, so a body arriving in many pieces
 * costs a clock read per piece, not a timer.
 */
export interface RequestSignal {
  readonly signal: AbortSignal;
  /** Call for every piece of the response body as it arrives. */
  received(): void;
  /** Why one of the request's own limits ended it ("no first byte within 300 ms"), if one did. */
  timeoutReason(): string | undefined;
  callerAborted(): boolean;
  /** From the start to the first byte of the body, once it has arrived. */
  firstByteMs(): number | undefined;
  /** The longest silence between two pieces of the body after the first. */
  longestSilenceMs(): number | undefined;
  dispose(): void;
}

export function createRequestSignal(
  callerSignal: AbortSignal | undefined,
  limits: RequestLimits,
  now: () => number = () => performance.now(),
): RequestSignal {
  const controller = new AbortController();
  const startedAt = now();
  let reason: string | undefined;
  let firstByteAt: number | undefined;
  let lastByteAt = startedAt;
  let longestSilence: number | undefined;
  const expire = (message: string): void => {
    reason = message;
    controller.abort(new DOMException(message, 'TimeoutError'));
  };
  const outer = positive(limits.timeoutMs);
  const outerTimer = outer === undefined ? undefined : setTimeout(() => expire(`request timed out after ${outer} ms (timeout_ms)`), outer);
  const firstByteLimit = positive(limits.firstByteTimeoutMs);
  const idleLimit = positive(limits.idleTimeoutMs);
  let silenceTimer: NodeJS.Timeout | undefined;
  let disposed = false;

  /** When the current silence becomes too long, or undefined when no limit applies now. */
  const silenceDueAt = (): number | undefined => {
    if (firstByteAt === undefined) return firstByteLimit === undefined ? undefined : startedAt + firstByteLimit;
    return idleLimit === undefined ? undefined : lastByteAt + idleLimit;
  };
  const armSilence = (): void => {
    const dueAt = silenceDueAt();
    if (dueAt === undefined || disposed || controller.signal.aborted) return;
    silenceTimer = setTimeout(onSilenceTimer, Math.max(0, Math.ceil(dueAt - now())));
  };
  const onSilenceTimer = (): void => {
    silenceTimer = undefined;
    const dueAt = silenceDueAt();
    if (dueAt === undefined) return;
    if (now() < dueAt) {
      armSilence();
      return;
    }
    if (firstByteAt === undefined) expire(`no first byte within ${firstByteLimit} ms`);
    else expire(`stream stalled for ${idleLimit} ms`);
  };
  armSilence();

  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    received: () => {
      const at = now();
      if (firstByteAt === undefined) {
        firstByteAt = at;
        // The first-byte timer is armed for a later moment than the idle limit may need.
        if (silenceTimer !== undefined) clearTimeout(silenceTimer);
        silenceTimer = undefined;
        lastByteAt = at;
        armSilence();
        return;
      }
      const silence = at - lastByteAt;
      if (longestSilence === undefined || silence > longestSilence) longestSilence = silence;
      lastByteAt = at;
    },
    timeoutReason: () => reason,
    callerAborted: () => reason === undefined && callerSignal?.aborted === true,
    firstByteMs: () => (firstByteAt === undefined ? undefined : firstByteAt - startedAt),
    longestSilenceMs: () => longestSilence,
    dispose: () => {
      disposed = true;
      if (outerTimer !== undefined) clearTimeout(outerTimer);
      if (silenceTimer !== undefined) clearTimeout(silenceTimer);
      silenceTimer = undefined;
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}
