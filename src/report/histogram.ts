/**
 * A histogram over fixed bucket edges: constant memory whatever the number of conversations, and
 * the same buckets in every report, so two reports can be compared side by side.
 */
import type { HistogramFigures } from './report-types.js';

export class Histogram {
  readonly #edges: readonly number[];
  readonly #counts: number[];
  #total = 0;
  #sum = 0;
  #max = 0;

  /** `edges` ascending: bucket i holds values in [edges[i], edges[i + 1]); the last is open-ended. */
  constructor(edges: readonly number[]) {
    this.#edges = edges;
    this.#counts = edges.map(() => 0);
  }

  add(value: number): void {
    let bucket = this.#edges.length - 1;
    while (bucket > 0 && value < (this.#edges[bucket] ?? 0)) bucket--;
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#total++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  figures(): HistogramFigures {
    return {
      edges: [...this.#edges],
      counts: [...this.#counts],
      total: this.#total,
      mean: this.#total === 0 ? null : round(this.#sum / this.#total, 2),
      max: this.#total === 0 ? null : this.#max,
    };
  }
}

export const round = (value: number, digits = 3): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** `part` of `whole` to four places, the precision every share in the report has; null of nothing. */
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : round(part / whole, 4));

/** Turns: one bucket per count up to 12, then 12 and more. */
export const TURN_EDGES: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** Characters: doubling buckets, from a one-word reply to the longest a model writes. */
export const LENGTH_EDGES: readonly number[] = [0, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400];
