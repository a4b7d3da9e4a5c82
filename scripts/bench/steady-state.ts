import type { BenchProvider } from './workload.js';

/**
 * A gap between two requests to one provider long enough to be a Retry-After pause of `pauseMs`
 * rather than pacing or a late timer: most of one interval plus the pause.
 */
export function pauseGapMs(intervalMs: number, pauseMs: number): number {
  return Math.max(1.5 * intervalMs, intervalMs + 0.8 * pauseMs);
}

/** How one provider spent a window of the run, from the arrival times the emulator recorded. */
export interface ProviderWindow {
  readonly provider: BenchProvider;
  readonly requests: number;
  /** requests ÷ (rate × window). */
  readonly utilization: number;
  /** Time lost to gaps of at least pauseGapMs beyond one interval: the provider was told to wait. */
  readonly pausedMs: number;
  /** Gaps at least pauseGapMs long. */
  readonly pauses: number;
  /** Time lost to all shorter gaps beyond one interval: late timers, or no request ready to send. */
  readonly otherIdleMs: number;
  /** Median gap between consecutive requests shorter than two intervals: the pacing as sent. */
  readonly medianPacedGapMs: number | null;
  /** Mean of those gaps: above 1000 / rate, every start drifts late by the difference. */
  readonly meanPacedGapMs: number | null;
}

/**
 * Breaks a window of the run down per provider: how many requests it took out of its rate, and
 * where the rest went (Retry-After pauses or other idle time).
 */
export function analyseWindow(
  arrivals: readonly number[],
  provider: BenchProvider,
  rate: number,
  window: { readonly startMs: number; readonly endMs: number },
  pauseMs: number,
): ProviderWindow {
  const interval = 1000 / rate;
  const pauseGap = pauseGapMs(interval, pauseMs);
  const inside = arrivals.filter((at) => at >= window.startMs && at < window.endMs);
  const lengthMs = window.endMs - window.startMs;
  let pausedMs = 0;
  let pauses = 0;
  let otherIdleMs = 0;
  const pacedGaps: number[] = [];
  // The first gap runs from the window's start, so idle time before the first request counts too.
  let previous = window.startMs;
  for (const at of [...inside, window.endMs]) {
    const gap = at - previous;
    const excess = Math.max(0, gap - interval);
    if (gap >= pauseGap) {
      pausedMs += excess;
      pauses++;
    } else {
      otherIdleMs += excess;
    }
    if (previous !== window.startMs && at !== window.endMs && gap < 2 * interval) pacedGaps.push(gap);
    previous = at;
  }
  return {
    provider,
    requests: inside.length,
    utilization: inside.length / ((rate * lengthMs) / 1000),
    pausedMs,
    pauses,
    otherIdleMs,
    medianPacedGapMs: percentile(pacedGaps, 0.5),
    meanPacedGapMs: pacedGaps.length === 0 ? null : pacedGaps.reduce((sum, gap) => sum + gap, 0) / pacedGaps.length,
  };
}

/** Nearest-rank percentile of unsorted values; null when there are none. */
export function percentile(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? null;
}
