/** How far back the starts are counted: five of the windows they are counted in. */
const LOOKBACK_WINDOWS = 5;
/** Refusals in the look-back that make it more than jitter's one now and then. */
const MINIMUM_REFUSALS = 2;
/**
 * How many fewer than the pace puts in one window the server must have allowed for the pace to be
 * too high rather than jittered: a start delayed on its way lands in the next window and makes it
 * one too many, so a right pace still shows windows one short.
 */
const SHORT_BY = 2;
/** Drop what fell out of every look-back once this many starts are behind the head. */
const COMPACT_AFTER = 512;

/**
 * The request rate a server accepts, measured from the 429s that say the request rate was
 * exceeded, for a rate configured well above the server's real limit (10 requests/s against 6).
 * The learned margin is made for the jitter of a right rate and stops at 250 ms a window, about
 * 25 % too high; beyond it a third of the requests drew a 429 all night, each pausing the provider,
 * and bare 429s kept AIMD sawing between half the limit and the limit.
 *
 * Two readings of our own starts, counted in windows of a second (two intervals below one request
 * a second; with fewer than about three starts a window nothing can be told, and Retry-After
 * pauses keep such a pace near the limit anyway):
 * - a refusal says the server's window ending at it was full: with the starts it accepted in the
 *   window before it, plus one that jitter may have carried into it (a limiter that also counts
 *   refused arrivals was full with fewer; that only makes this reading lower);
 * - the server's limit is at least the fullest window of the starts it accepted in the last five.
 * The pace is corrected only when both are at least two below what the fastest pace in the
 * refused request's window put in one (an AIMD cut may have slowed the refused request itself),
 * and then to the fullest window. The second reading keeps out what only looks like a low limit:
 * windows that held few starts for reasons of ours (a concurrency cap or token budget binding, a
 * ramp-up, a Retry-After pause) cannot make the fullest one small while windows at the pace were
 * accepted. A refusal with nothing accepted in its window says nothing (a spent quota refuses
 * everything, and once its last accepted window has left the look-back it would look like a limit
 * of one). The first window of a run counts from its first start; after a correction, a refusal
 * is measured only once a whole window lies after it, as the server's window still held the old
 * pace's starts until then.
 */
export class AcceptedRate {
  /** Start times, oldest first, from `head` on; with whether each was refused and the pace it was sent at. */
  private readonly times: number[] = [];
  private readonly refused: boolean[] = [];
  private readonly paces: number[] = [];
  private head = 0;
  private firstStartAt = Number.POSITIVE_INFINITY;
  /** Starts before this were sent at a pace since corrected. */
  private correctedAt = Number.NEGATIVE_INFINITY;

  /** A request started at `now`, spaced for `pacePerSecond`. */
  recordStart(now: number, pacePerSecond: number): void {
    this.firstStartAt = Math.min(this.firstStartAt, now);
    this.times.push(now);
    this.refused.push(false);
    this.paces.push(pacePerSecond);
    // Refusals answer within seconds; ten of them keep any look-back at a pace above 2 in 5 s.
    const keepFrom = now - 10_000;
    while (this.head < this.times.length && (this.times[this.head] as number) < keepFrom) this.head++;
    if (this.head >= COMPACT_AFTER) {
      this.times.splice(0, this.head);
      this.refused.splice(0, this.head);
      this.paces.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * A request started at `startedAt` was refused for the request rate. Returns the rate to pace
   * at, per second, when the refusals show the server's limit clearly below the pace it was sent
   * at; otherwise undefined.
   */
  onRefused(startedAt: number, now: number): number | undefined {
    const index = this.indexOf(startedAt);
    if (index === undefined) return undefined;
    this.refused[index] = true;
    const windowMs = Math.max(1000, 2000 / (this.paces[index] as number));
    // The server's window still held starts sent at the pace before the last correction.
    if (startedAt - windowMs < this.correctedAt) return undefined;
    const own = this.windowBefore(startedAt, windowMs);
    // Nothing accepted before a refusal says nothing about a rate: a spent quota refuses everything.
    if (own.accepted === 0) return undefined;
    // What we were sending at: the fastest pace in the window (an AIMD cut may have slowed the refused one).
    const perWindow = (own.fastestPace * windowMs) / 1000;
    const from = Math.max(startedAt - LOOKBACK_WINDOWS * windowMs, this.firstStartAt, this.correctedAt);
    let refusals = 0;
    /** The fewest a window ending at a refusal held: what the server was full with, plus jitter's one. */
    let fullAt = Number.POSITIVE_INFINITY;
    const accepted: number[] = [];
    for (let entry = this.head; entry < this.times.length; entry++) {
      const at = this.times[entry] as number;
      if (at < from || at > startedAt) continue;
      if (!(this.refused[entry] as boolean)) {
        accepted.push(at);
        continue;
      }
      refusals += 1;
      if (at - windowMs < this.correctedAt) continue;
      const before = this.windowBefore(at, windowMs).accepted;
      if (before > 0) fullAt = Math.min(fullAt, before + 1);
    }
    if (refusals < MINIMUM_REFUSALS || fullAt > perWindow - SHORT_BY + 1) return undefined;
    const fullest = fullestWindow(accepted, windowMs);
    if (fullest > perWindow - SHORT_BY) return undefined;
    this.correctedAt = now;
    return (fullest * 1000) / windowMs;
  }

  /** The starts in the window (at - windowMs, at) that were not refused, and the fastest pace any start in it was sent at. */
  private windowBefore(at: number, windowMs: number): { readonly accepted: number; readonly fastestPace: number } {
    let accepted = 0;
    let fastestPace = 0;
    for (let entry = this.head; entry < this.times.length; entry++) {
      const time = this.times[entry] as number;
      if (time <= at - windowMs || time > at) continue;
      fastestPace = Math.max(fastestPace, this.paces[entry] as number);
      if (time < at && !(this.refused[entry] as boolean)) accepted += 1;
    }
    return { accepted, fastestPace };
  }

  /** The newest start at `startedAt` not yet marked refused; refusals come soon after their start, so from the end. */
  private indexOf(startedAt: number): number | undefined {
    for (let entry = this.times.length - 1; entry >= this.head; entry--) {
      if (this.times[entry] === startedAt && !(this.refused[entry] as boolean)) return entry;
      if ((this.times[entry] as number) < startedAt) return undefined;
    }
    return undefined;
  }
}

/** The most of `times` (ascending) in any window [t, t + windowMs). */
function fullestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let tail = 0;
  for (let head = 0; head < times.length; head++) {
    while ((times[head] as number) - (times[tail] as number) >= windowMs) tail++;
    most = Math.max(most, head - tail + 1);
  }
  return most;
}
