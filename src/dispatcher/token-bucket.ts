const MS_PER_MINUTE = 60_000;

/**
 * A tokens-per-minute budget: holds at most one minute of tokens and refills continuously.
 * A request takes its estimate up front and settles with the reported usage afterwards, so the
 * level may go below zero when a reply was longer than estimated; later requests then wait.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  private capacity: number;
  private tokensPerMs: number;

  constructor(
    capacity: number,
    private readonly now: () => number,
  ) {
    this.capacity = capacity;
    this.level = capacity;
    this.updatedAt = now();
    this.tokensPerMs = capacity / MS_PER_MINUTE;
  }

  /** A new budget per minute (the server reported another); what was spent stays spent. */
  resize(capacity: number): void {
    this.refill();
    this.level = Math.min(capacity, this.level + capacity - this.capacity);
    this.capacity = capacity;
    this.tokensPerMs = capacity / MS_PER_MINUTE;
  }

  /** The clock time at which `tokens` can be taken (now or earlier means at once). */
  readyAt(tokens: number): number {
    const now = this.refill();
    // A request larger than the whole budget goes when the bucket is full, or it never would.
    const needed = Math.min(tokens, this.capacity);
    if (this.level >= needed) return now;
    return now + (needed - this.level) / this.tokensPerMs;
  }

  take(tokens: number): void {
    this.refill();
    this.level -= tokens;
  }

  /** Puts back the difference between what was taken and what was used (negative takes more). */
  settle(taken: number, used: number): void {
    this.refill();
    this.level = Math.min(this.capacity, this.level + taken - used);
  }

  private refill(): number {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.level = Math.min(this.capacity, this.level + elapsed * this.tokensPerMs);
    this.updatedAt = now;
    return now;
  }
}
