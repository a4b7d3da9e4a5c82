import type { ServerResponse } from 'node:http';

/**
 * Answers the emulator owes: delayed ones (latency) and hung ones. `closeAll` ends them all, so
 * `close()` never waits on a timer or a client that will not hang up.
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
