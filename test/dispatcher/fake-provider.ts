import { vi } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import type {
  ChatProvider,
  ChatRequest,
  ChatResult,
  DispatchEvent,
  ProviderErrorKind,
  ProviderName,
  Usage,
} from '../../src/core/types.js';
import type { ProviderSlotOptions } from '../../src/dispatcher/index.js';

/** What one scripted call does. */
export type Outcome =
  | { readonly ok: true; readonly latencyMs: number; readonly usage?: Usage }
  | {
      readonly error: ProviderErrorKind;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly latencyMs?: number;
      /** The response body the adapter kept, as ProviderError.body. */
      readonly body?: string;
    }
  | { readonly hang: true };

export interface FakeCall {
  readonly startedAt: number;
  readonly request: ChatRequest;
  endedAt?: number;
  result?: 'ok' | ProviderErrorKind;
}

/** Decides a call's outcome from its index (0-based) and the fake clock. */
export type Script = (index: number, now: number) => Outcome;

export const ok = (latencyMs: number, usage?: Usage): Outcome => ({ ok: true, latencyMs, usage });
export const fail = (error: ProviderErrorKind, status?: number, retryAfterMs?: number, latencyMs = 100): Outcome => ({
  error,
  status,
  retryAfterMs,
  latencyMs,
});
/** A non-retryable refusal (400, 404, 422) with the body a real server sends. */
export const refuse = (status: number, body?: string, latencyMs = 100): Outcome => ({ error: 'bad_request', status, body, latencyMs });

/** An in-memory ChatProvider driven by fake timers; honours the abort signal like a real adapter. */
export class FakeProvider implements ChatProvider {
  readonly calls: FakeCall[] = [];

  constructor(
    readonly name: ProviderName,
    private readonly script: Script,
  ) {}

  /** Start times of calls, in fake ms. */
  get starts(): number[] {
    return this.calls.map((call) => call.startedAt);
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    const call: FakeCall = { startedAt: Date.now(), request };
    const outcome = this.script(this.calls.length, call.startedAt);
    this.calls.push(call);
    return new Promise<ChatResult>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        call.endedAt = Date.now();
        call.result = 'aborted';
        reject(new ProviderError('aborted', { provider: this.name, kind: 'aborted' }));
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if ('hang' in outcome) return;
      timer = setTimeout(() => {
        request.signal?.removeEventListener('abort', onAbort);
        call.endedAt = Date.now();
        if ('ok' in outcome) {
          call.result = 'ok';
          resolve({
            text: `reply ${this.calls.indexOf(call)}`,
            finishReason: 'stop',
            usage: outcome.usage ?? { inputTokens: 10, outputTokens: 10 },
            latencyMs: outcome.latencyMs,
            provider: this.name,
            model: request.model,
          });
        } else {
          call.result = outcome.error;
          reject(
            new ProviderError(`scripted ${outcome.error}`, {
              provider: this.name,
              kind: outcome.error,
              status: outcome.status,
              retryAfterMs: outcome.retryAfterMs,
              body: outcome.body,
            }),
          );
        }
      }, outcome.latencyMs ?? 100);
    });
  }
}

export function slotFor(provider: FakeProvider, requestsPerSecond: number, extra?: Partial<ProviderSlotOptions>): ProviderSlotOptions {
  return {
    provider,
    models: { tester: `${provider.name}-tester`, assistant: `${provider.name}-assistant`, rewriter: `${provider.name}-rewriter` },
    requestsPerSecond,
    ...extra,
  };
}

export const userTurn = [{ role: 'user' as const, content: 'hello there' }];

/** Lets every fake timer run until nothing is left, then returns the settled promises. */
export async function settleAll<T>(promises: ReadonlyArray<Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
  const all = Promise.allSettled(promises);
  await vi.runAllTimersAsync();
  return all;
}

/** Most starts inside any window [t, t + windowMs) that begins at a start. */
export function maxStartsInWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  let tail = 0;
  for (let head = 0; head < sorted.length; head++) {
    while ((sorted[head] as number) - (sorted[tail] as number) >= windowMs) tail++;
    most = Math.max(most, head - tail + 1);
  }
  return most;
}

/** Records events with the fake time they happened at. */
export function eventRecorder(): { events: Array<DispatchEvent & { at: number }>; onEvent: (event: DispatchEvent) => void } {
  const events: Array<DispatchEvent & { at: number }> = [];
  return { events, onEvent: (event) => events.push({ ...event, at: Date.now() }) };
}

/** Request starts per second within [from, to) ms. */
export const startsPerSecond = (starts: readonly number[], from: number, to: number): number =>
  starts.filter((start) => start >= from && start < to).length / ((to - from) / 1_000);
