import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Answers the emulator owes: delayed ones (latency), streams in progress, and hung or stalled
 * ones. `closeAll` ends them all, so `close()` never waits on a timer or a client that will not
 * hang up.
 */
export class PendingResponses {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #hung = new Set<ServerResponse>();
  #closed = false;

  /** Runs `send` after `delayMs`, unless the client goes away first. */
  delay(response: ServerResponse, delayMs: number, send: () => void): void {
    if (delayMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      response.off('close', cancel);
      if (!response.destroyed) send();
    }, delayMs);
    const cancel = (): void => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
    this.#timers.add(timer);
    response.once('close', cancel);
  }

  /**
   * Runs `step(i)` at `offsets[i]` ms from now (non-decreasing), one timer at a time. Each timer
   * aims at its step's planned moment, so timer lateness does not add up over a long stream.
   * Stops as soon as the client goes away.
   */
  sequence(response: ServerResponse, offsets: readonly number[], step: (index: number) => void): void {
    const startedAt = performance.now();
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    const cancel = (): void => {
      if (timer === undefined) return;
      clearTimeout(timer);
      this.#timers.delete(timer);
      timer = undefined;
    };
    const next = (): void => {
      while (index < offsets.length && !response.destroyed) {
        const waitMs = startedAt + (offsets[index] as number) - performance.now();
        if (waitMs >= 1) {
          timer = setTimeout(() => {
            this.#timers.delete(timer as NodeJS.Timeout);
            timer = undefined;
            next();
          }, waitMs);
          this.#timers.add(timer);
          return;
        }
        step(index++);
      }
      response.off('close', cancel);
    };
    response.once('close', cancel);
    next();
  }

  /** Holds the response open until the client aborts or the emulator closes. */
  hang(response: ServerResponse): void {
    if (this.#closed) {
      response.destroy();
      return;
    }
    this.#hung.add(response);
    response.once('close', () => this.#hung.delete(response));
  }

  get hungCount(): number {
    return this.#hung.size;
  }

  closeAll(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const response of this.#hung) response.destroy();
    this.#hung.clear();
  }
}
