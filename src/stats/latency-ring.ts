import type { LatencySummary } from './progress-record.js';

/**
 * The last `capacity` latencies of one provider. Recording overwrites the oldest slot (no
 * allocation per request); the summary sorts a copy, which is fine because a timer asks for it,
 * not every request.
 */
export class LatencyRing {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  /** @default 512 */
  constructor(capacity = 512) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected \`capacity\` to be an integer >= 1, got \`${capacity}\` (${typeof capacity})`);
    }
    this.values = new Float64Array(capacity);
  }

  record(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.values[this.next] = latencyMs;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  summary(): LatencySummary {
    if (this.filled === 0) return { meanMs: null, p50Ms: null, p95Ms: null, samples: 0 };
    const sorted = this.values.slice(0, this.filled).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      meanMs: Math.round(sum / sorted.length),
      p50Ms: Math.round(percentile(sorted, 0.5)),
      p95Ms: Math.round(percentile(sorted, 0.95)),
      samples: sorted.length,
    };
  }
}

/** Nearest-rank percentile of an ascending, non-empty array: the smallest value with at least `fraction` of samples at or below it. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}
