/** Budgets run per calendar month in UTC, so a month means the same thing on every machine. */

/** `2026-11` for any instant in November 2026 (UTC). */
export function monthOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/** The day a month's budgets start again: `2026-12-01` for `2026-11`. */
export function resetDateOf(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber, 1)).toISOString().slice(0, 10);
}
