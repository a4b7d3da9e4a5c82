/**
 * Counts by name with a ceiling on how many names it keeps: topics and simulated users are a
 * finite pool in practice, but a pipeline that puts free text there must not grow the report's
 * memory with every line.
 */
import type { CoverageFigures } from './report-types.js';

export class CappedCounter {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;
  #capped = false;

  /** @param limit distinct names kept. @default 10000 */
  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  add(name: string | undefined): void {
    if (name === undefined || name === '') return;
    const count = this.#counts.get(name);
    if (count !== undefined) this.#counts.set(name, count + 1);
    else if (this.#counts.size < this.#limit) this.#counts.set(name, 1);
    else this.#capped = true;
  }

  figures(shown = 20): CoverageFigures {
    const top = [...this.#counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, shown)
      .map(([name, count]) => ({ name, count }));
    return { distinct: this.#counts.size, top, capped: this.#capped };
  }

  entries(): [string, number][] {
    return [...this.#counts.entries()];
  }
}
