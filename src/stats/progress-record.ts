import type { ProviderPace, ProviderState } from '../core/types.js';

/**
 * The shape of one progress snapshot. It is logged as the fields of a `msg: "progress"` line and
 * embedded in the status file, so every field is plain JSON (no Dates, no Maps, no undefined).
 */

export interface TokenCounts {
  readonly input: number;
  readonly output: number;
}

/** Over the most recent successful requests (a bounded ring), in whole milliseconds. */
export interface LatencySummary {
  readonly meanMs: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** How many latencies the summary is computed from (at most the ring's capacity). */
  readonly samples: number;
}

export interface ProviderProgress {
  /** Conversations saved that this provider served. */
  readonly conversations: number;
  /** Requests started (every attempt, retries included). */
  readonly requests: number;
  /** Requests started and not yet ended or failed. */
  readonly inFlight: number;
  readonly successes: number;
  /** Requests answered with 429 / rate-limit errors. */
  readonly rateLimited: number;
  /** Failed requests other than rate limits and aborts. */
  readonly errors: number;
  /** Requests cancelled by us (shutdown, deadline); not the provider's fault. */
  readonly aborted: number;
  /** Failed requests the dispatcher said it would retry. */
  readonly retries: number;
  readonly latency: LatencySummary;
  readonly tokens: TokenCounts;
  /** In the price list's currency; null when no prices were configured. */
  readonly cost: number | null;
  readonly state: ProviderState;
  /** The rate it is paced at and where that comes from; absent when the run did not say (older status files). */
  readonly pace?: ProviderPace;
}

export interface ModelProgress extends TokenCounts {
  /** Null when the model has no price (or no prices were configured). */
  readonly cost: number | null;
}

export interface ToolCallCounts {
  readonly ok: number;
  readonly failed: number;
}

export interface CostSummary {
  /** Spent by this run so far, over priced models only. */
  readonly total: number;
  /**
   * What this run will have cost when the target is reached, at this run's cost per saved
   * conversation (discarded conversations included as overhead). Null before the first save.
   */
  readonly projectedAtTarget: number | null;
  /** Models that were used but have no price: their tokens are not in `total`. */
  readonly unpricedModels: readonly string[];
}

export interface ProgressRecord {
  /** When the snapshot was taken (ISO 8601). */
  readonly at: string;
  /** Conversations on disk: saved before this run plus saved by it. */
  readonly saved: number;
  readonly target: number;
  /** `saved / target` in percent, one decimal. */
  readonly percent: number;
  readonly savedThisRun: number;
  /** Conversations started by this run. */
  readonly started: number;
  /** Conversations started and neither saved nor discarded yet. */
  readonly inFlight: number;
  /**
   * Spares still in flight when the target was reached, stopped and rolled back: started near the
   * end, beyond what the target needed, in case others failed; absent when none.
   */
  readonly surplus?: number;
  /** Conversations this run labelled invalid (kept in the invalid file, not counted in `saved`); absent when none. */
  readonly invalid?: number;
  /** Saved ÷ (saved + invalid) this run; absent when nothing was labelled invalid. */
  readonly validityRate?: number;
  readonly rate: {
    /** Saved per hour since this run started. */
    readonly overallPerHour: number;
    /** Saved per hour over the last `recentWindowSeconds` (or since the start, if shorter). */
    readonly recentPerHour: number;
    readonly recentWindowSeconds: number;
  };
  /** Seconds until the target at the recent rate (the overall rate when nothing was saved recently); null with no rate yet. */
  readonly etaSeconds: number | null;
  readonly elapsedSeconds: number;
  readonly providers: Readonly<Record<string, ProviderProgress>>;
  readonly models: Readonly<Record<string, ModelProgress>>;
  readonly toolCalls: Readonly<Record<string, ToolCallCounts>>;
  readonly discarded: Readonly<Record<string, number>>;
  readonly tokens: TokenCounts;
  /** Null when no prices were configured. */
  readonly cost: CostSummary | null;
}

/** The `msg` of progress log lines; the pretty terminal printer recognises it. */
export const PROGRESS_MESSAGE = 'progress';

/** The `msg` of the end-of-run line; its `summary` field holds `formatSummary` text, printed as is on a terminal. */
export const SUMMARY_MESSAGE = 'run summary';
