/** How far back the starts are counted: five of the windows they are counted in, two at least. */
const LOOKBACK_WINDOWS = 5;
const MINIMUM_HISTORY_WINDOWS = 2;
/** Refusals in the look-back that make it more than jitter: jitter refuses one now and then. */
const MINIMUM_REFUSALS = 2;
/**
 * The server accepted clearly less than we sent when its fullest window held at least this many
 * fewer than our pace puts in one: jitter moves one request into the next window, and the
 * limiter refuses it there, so a right pace still shows windows one short.
 */
const SHORT_BY = 2;

interface Start {
  readonly at: number;
  refused: boolean;
}

/**
 * What a server accepts of one provider's starts, measured from the 429s that say the request
 * rate was exceeded: the most starts it accepted in one window (a second, or two intervals at a
 * pace below one request a second) in the last five windows before a refused one. A server
 * that refuses our pace fills its windows with what it accepts, so the fullest is its limit;
 * Retry-After pauses only empty the others, and a limiter that counts refused arrivals (the
 * harshest) still accepted its limit in the first window it refused in. A configured rate well above the server's real limit (10 requests/s against 6) draws
 * refusals for a third of the requests, and when each comes with a Retry-After the provider is
 * paused after each: 0.75 requests/s were served against the emulator's strict 6, where the
 * learned margin, made for the jitter of a right rate, would need a stretch of 670 ms per window
 * and stops at 250. The server's limit is then what it accepted; the pace goes there at once.
 *
 * Jitter is told apart by count and size: it refuses a request now and then, and the fullest
 * window holds at most one request less than the pace. At a pace of two requests a second or
 * less, windows of a few requests cannot tell the two apart; there the Retry-After pauses keep
 * the starts near the server's limit anyway, a refusal for each one accepted at worst. Refusals of requests sent before the last correction are
 * the old pace's, and are not measured again.
 */
export class AcceptedRate {
  private readonly starts: Start[] = [];
  private firstStartAt = Number.POSITIVE_INFINITY;
  /** Starts before this were sent at a pace since corrected. */
  private correctedAt = Number.NEGATIVE_INFINITY;

  recordStart(now: number): void {
    this.firstStartAt = Math.min(this.firstStartAt, now);
    this.starts.push({ at: now, refused: false });
    // Refusals answer within a request's latency: ten seconds back keeps theirs at any pace above one request in five seconds.
    const keepFrom = now - 10_000;
    let drop = 0;
    while (drop < this.starts.length && (this.starts[drop] as Start).at < keepFrom) drop++;
    if (drop > 0) this.starts.splice(0, drop);
  }

  /**
   * A request started at `startedAt` was refused for the request rate while we paced at
   * `pacePerSecond`. Returns the rate the server accepted, per second, when it is clearly below
   * that pace (the caller corrects to it); otherwise undefined.
   */
  onRefused(startedAt: number, now: number, pacePerSecond: number): number | undefined {
    const start = this.starts.find((entry) => entry.at === startedAt && !entry.refused);
    if (start === undefined) return undefined;
    start.refused = true;
    if (startedAt < this.correctedAt) return undefined;
    const windowMs = Math.max(1000, 2000 / pacePerSecond);
    const from = Math.max(startedAt - LOOKBACK_WINDOWS * windowMs, this.firstStartAt, this.correctedAt);
    if (startedAt - from < MINIMUM_HISTORY_WINDOWS * windowMs) return undefined;
    const accepted: number[] = [];
    let refused = 0;
    for (const entry of this.starts) {
      if (entry.at < from || entry.at > startedAt) continue;
      if (entry.refused) refused += 1;
      else accepted.push(entry.at);
    }
    if (refused < MINIMUM_REFUSALS) return undefined;
    const fullest = fullestWindow(accepted, windowMs);
    // Nothing accepted says nothing about a rate: a spent quota, a server refusing everyone.
    if (fullest === 0 || fullest > (pacePerSecond * windowMs) / 1000 - SHORT_BY) return undefined;
    const acceptedPerSecond = (fullest * 1000) / windowMs;
    this.correctedAt = now;
    return acceptedPerSecond;
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
