/**
 * Counts events in the last `windowMs` milliseconds. Timestamps live in a growable ring buffer:
 * `add` is O(1) amortized and `count` evicts from the front, so every timestamp is pushed once and
 * evicted once. Memory is proportional to the events inside the window (a few hundred for a
 * ten-minute window at a thousand conversations an hour), never to the length of the run.
 */
export class SlidingWindow {
  readonly windowMs: number;
  private times: Float64Array;
  private head = 0;
  private size = 0;
  private latest = Number.NEGATIVE_INFINITY;

  /** @param initialCapacity grows by doubling when exceeded. @default 64 */
  constructor(windowMs: number, initialCapacity = 64) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) {
      throw new RangeError(`Expected \`windowMs\` to be a finite number > 0, got \`${windowMs}\` (${typeof windowMs})`);
    }
    this.windowMs = windowMs;
    this.times = new Float64Array(Math.max(1, Math.floor(initialCapacity)));
  }

  /** Records one event at `time` (milliseconds). A clock that steps backwards is clamped, keeping the buffer sorted. */
  add(time: number): void {
    if (this.size === this.times.length) this.grow();
    const stamp = time < this.latest ? this.latest : time;
    this.latest = stamp;
    this.times[(this.head + this.size) % this.times.length] = stamp;
    this.size++;
  }

  /** Events in the window `(now - windowMs, now]`. */
  count(now: number): number {
    const oldestKept = now - this.windowMs;
    while (this.size > 0 && (this.times[this.head] as number) <= oldestKept) {
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
    return this.size;
  }

  private grow(): void {
    const larger = new Float64Array(this.times.length * 2);
    for (let index = 0; index < this.size; index++) {
      larger[index] = this.times[(this.head + index) % this.times.length] as number;
    }
    this.times = larger;
    this.head = 0;
  }
}
