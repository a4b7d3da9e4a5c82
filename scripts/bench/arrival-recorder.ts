import type { Emulator } from '../../src/emulator/index.js';
import type { BenchProvider } from './workload.js';

/** Every request the emulator saw, per provider, in ms since the emulator started. */
export interface ArrivalTimeline {
  readonly arrivals: Readonly<Record<BenchProvider, readonly number[]>>;
  /** Arrivals that fell out of the emulator's ring between two polls (0 unless the poll stalled). */
  readonly missed: number;
}

/**
 * The emulator keeps only its last ~2000 arrival times per provider, so a run of thousands of
 * requests is read by polling: each poll takes the arrivals added since the previous one (the
 * `requests` counter says how many).
 */
export class ArrivalRecorder {
  readonly #emulator: Emulator;
  readonly #providers: readonly BenchProvider[];
  readonly #arrivals = new Map<BenchProvider, number[]>();
  readonly #seen = new Map<BenchProvider, number>();
  #missed = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(emulator: Emulator, providers: readonly BenchProvider[]) {
    this.#emulator = emulator;
    this.#providers = providers;
    for (const provider of providers) {
      this.#arrivals.set(provider, []);
      this.#seen.set(provider, 0);
    }
  }

  /** Polls every `intervalMs` (at 8 requests/s the ring holds 250 s, so one second is ample). */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => this.poll(), intervalMs);
  }

  stop(): ArrivalTimeline {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.poll();
    return {
      arrivals: Object.fromEntries(this.#providers.map((provider) => [provider, this.#arrivals.get(provider) ?? []])) as Record<
        BenchProvider,
        number[]
      >,
      missed: this.#missed,
    };
  }

  poll(): void {
    const counters = this.#emulator.counters();
    for (const provider of this.#providers) {
      const tally = counters[provider];
      const seen = this.#seen.get(provider) ?? 0;
      const added = tally.requests - seen;
      if (added <= 0) continue;
      const available = Math.min(added, tally.arrivals.length);
      this.#missed += added - available;
      const list = this.#arrivals.get(provider)!;
      for (const at of tally.arrivals.slice(tally.arrivals.length - available)) list.push(at);
      this.#seen.set(provider, tally.requests);
    }
  }
}
