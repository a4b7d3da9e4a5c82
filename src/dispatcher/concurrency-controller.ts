import type { FlowSample } from './flow-meter.js';

/** One provider's reading, as the controller sees it. */
export interface ProviderFlow {
  readonly sample: FlowSample;
  /** Requests per second it can take now. */
  readonly rate: number;
  /** Disabled providers neither starve nor queue. */
  readonly usable: boolean;
}

/** How often the target moves, in ms. */
const TICK_MS = 1_000;
/**
 * Requests allowed to wait at a provider before it counts as over-fed: this many seconds of its
 * rate, and at least MINIMUM_QUEUE.
 */
const QUEUE_SECONDS = 0.5;
const MINIMUM_QUEUE = 2;
/** Consecutive over-fed readings before the target shrinks. */
const SHRINK_AFTER = 3;
/** Start opportunities lost per reading below which a provider counts as busy (timer noise). */
const MISSED_STARTS_TOLERANCE = 0.1;
/** Share of the measured shortfall added at once; the rest comes on the next readings. */
const GROWTH_GAIN = 0.8;
/** Share of the measured excess removed per reading: too many in flight costs only latency, so it is slow. */
const SHRINK_GAIN = 0.5;

/**
 * The number of conversations to keep in flight, as a feedback loop on what the providers
 * experience rather than a formula of rate × latency (which ignores the time a conversation spends
 * between requests: pacing queues, tools, validation, the write, retries waiting out a backoff).
 *
 * Grows while some provider had a start free and no request waiting for it; by Little's law the
 * conversations missing are (in flight − waiting in a queue) × missed starts ÷ starts made. Shrinks, slowly and only after
 * several readings in a row, while requests queue beyond half a second of a provider's rate (net of
 * any growth a starved provider asks for at the same time). Growing fast and shrinking slowly favours the providers' quota over the
 * conversations' latency, which is what a night's run is for.
 */
export class ConcurrencyController {
  private value: number;
  private lastTickAt: number;
  private overFedReadings = 0;

  constructor(initial: number, now: number) {
    this.value = Math.max(1, Math.round(initial));
    this.lastTickAt = now;
  }

  get target(): number {
    return this.value;
  }

  /** Whether a reading is due at `now`. */
  due(now: number): boolean {
    return now - this.lastTickAt >= TICK_MS;
  }

  /**
   * Moves the target from one reading of every provider. `inFlight` is how many conversations the
   * caller keeps in flight now, `ceiling` the most it will keep (its caps, what is left of the run).
   * Both moves are measured from `inFlight`, not from the target itself: the conversations already
   * in flight only leave as they finish, and a target that kept shrinking while they drain would
   * overshoot far below what the providers need.
   */
  update(now: number, flows: readonly ProviderFlow[], inFlight: number, ceiling: number, saturated = false): number {
    this.lastTickAt = now;
    let missed = 0;
    let starts = 0;
    let excess = 0;
    let waiting = 0;
    for (const flow of flows) {
      if (!flow.usable) continue;
      const { sample } = flow;
      missed += (sample.idleMs * flow.rate) / 1000;
      starts += sample.starts;
      if (sample.elapsedMs > 0) {
        const queued = sample.waitingMs / sample.elapsedMs;
        waiting += queued;
        excess += Math.max(0, queued - overFedQueueLength(flow.rate));
      }
    }
    // Both can hold at once: a conversation stays on its provider, so one provider can queue while
    // another starves (its rate corrected up by headers, say). Growth feeds the starved one (new
    // conversations go to the least loaded); the excess elsewhere still has to go, or it stays
    // queued all night, so the two are netted rather than the starved reading cancelling the cut.
    this.overFedReadings = excess > 0 ? this.overFedReadings + 1 : 0;
    let growth = 0;
    // Starved while holding fewer than the target (a cap, or conversations just ended) says
    // nothing; nor while the daemon itself has no time to spare: more conversations would only
    // queue for the event loop and hold memory.
    if (missed > MISSED_STARTS_TOLERANCE && inFlight >= this.value - 1 && !saturated) {
      // Little's law on the conversations not sitting in a queue: their cycle is what a new one
      // would have on a starved provider (counting the queued ones would credit it with their wait).
      // With no start at all, nothing says how long a cycle is: double.
      const moving = Math.max(1, inFlight - waiting);
      const shortfall = starts > 0 ? Math.round((GROWTH_GAIN * moving * missed) / starts) : inFlight;
      growth = Math.max(1, Math.min(inFlight, shortfall));
      this.value = Math.max(this.value, inFlight + growth);
    }
    if (this.overFedReadings >= SHRINK_AFTER) {
      // Net of the growth: a queue no longer than what the starved providers are short by is just
      // where the conversations are, not too many of them.
      const cut = Math.round(SHRINK_GAIN * excess) - growth;
      if (cut >= 1) this.value = Math.min(this.value, inFlight + growth - cut);
    }
    this.value = Math.max(1, Math.min(ceiling, this.value));
    return this.value;
  }
}

/** Requests waiting at a provider beyond which it is over-fed: half a second of its rate, and at least two. */
export function overFedQueueLength(requestsPerSecond: number): number {
  return Math.max(MINIMUM_QUEUE, requestsPerSecond * QUEUE_SECONDS);
}

/** Event-loop utilization above which the daemon counts as busy: starved providers are its own doing. */
export const SATURATED_UTILIZATION = 0.9;
