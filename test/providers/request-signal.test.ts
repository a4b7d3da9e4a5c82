import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequestSignal } from '../../src/providers/request-signal.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

const now = (): number => Date.now();

describe('the request signal', () => {
  it('aborts when no first byte arrives within the first-byte limit, and says so', () => {
    const request = createRequestSignal(undefined, { timeoutMs: 60_000, firstByteTimeoutMs: 300, idleTimeoutMs: 100 }, now);
    vi.advanceTimersByTime(299);
    expect(request.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(request.signal.aborted).toBe(true);
    expect(request.timeoutReason()).toBe('no first byte within 300 ms');
    expect(request.callerAborted()).toBe(false);
    request.dispose();
  });

  it('a body that keeps arriving is never cut by the idle limit, however long it lasts, and one timer watches it', () => {
    const request = createRequestSignal(undefined, { timeoutMs: 60_000, firstByteTimeoutMs: 300, idleTimeoutMs: 100 }, now);
    vi.advanceTimersByTime(250);
    for (let piece = 0; piece < 400; piece++) {
      request.received();
      vi.advanceTimersByTime(90);
    }
    expect(request.signal.aborted).toBe(false);
    // The outer timer and the silence timer, whatever the number of pieces.
    expect(vi.getTimerCount()).toBe(2);
    expect(request.firstByteMs()).toBe(250);
    expect(request.longestSilenceMs()).toBe(90);
    vi.advanceTimersByTime(100);
    expect(request.timeoutReason()).toBe('stream stalled for 100 ms');
    request.dispose();
  });

  it('timeout_ms stays the outer bound of a reply that keeps arriving', () => {
    const request = createRequestSignal(undefined, { timeoutMs: 1_000, firstByteTimeoutMs: 300, idleTimeoutMs: 100 }, now);
    for (let elapsed = 0; elapsed < 1_000; elapsed += 50) {
      request.received();
      vi.advanceTimersByTime(50);
    }
    expect(request.timeoutReason()).toBe('request timed out after 1000 ms (timeout_ms)');
    request.dispose();
  });

  it("the caller's abort is told apart from the request's own limits, and dispose leaves no timer or listener", () => {
    const caller = new AbortController();
    const request = createRequestSignal(caller.signal, { timeoutMs: 1_000, firstByteTimeoutMs: 300 }, now);
    caller.abort(new Error('shutting down'));
    expect(request.signal.aborted).toBe(true);
    expect(request.callerAborted()).toBe(true);
    expect(request.timeoutReason()).toBeUndefined();
    request.dispose();
    expect(vi.getTimerCount()).toBe(0);
    const other = createRequestSignal(caller.signal, {}, now);
    expect(other.signal.aborted).toBe(true);
    other.dispose();
  });

  it('without limits nothing is armed', () => {
    const request = createRequestSignal(undefined, {}, now);
    request.received();
    expect(vi.getTimerCount()).toBe(0);
    request.dispose();
  });
});
