import type { ProviderName, Usage } from './types.js';

/** A limit on one calendar month (UTC) of spending; either or both may be set. */
export interface MonthlyLimit {
  /** Input plus output tokens. */
  readonly tokens?: number;
  /** US dollars, computed from `prices`. */
  readonly costUsd?: number;
}

/** The monthly budgets of the configuration: one over everything, one per provider. */
export interface MonthlyBudgets {
  readonly overall: MonthlyLimit;
  readonly providers: Readonly<Partial<Record<ProviderName, MonthlyLimit>>>;
}

/** What a request is about to spend, estimated before it is sent. */
export interface BudgetClaim {
  readonly provider: ProviderName;
  /** The configured model name (prices are keyed by it). */
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Proof of a reservation; handed back to `settle` exactly once. */
export interface BudgetReservation {
  readonly id: number;
}

/**
 * `provider`: that provider's own budget has no room, the others may; `overall`: nothing more may
 * be spent this month anywhere.
 */
export type BudgetDecision =
  | { readonly granted: true; readonly reservation: BudgetReservation }
  | { readonly granted: false; readonly scope: 'provider' | 'overall'; readonly reason: string };

/**
 * The one hook between the dispatcher and a spending budget. `reserve` is called right before a
 * request is sent (synchronously, so two requests never both take the last of a budget); `settle`
 * after it ends, with the reported usage, or without it when the request failed (a refund; the
 * dispatcher passes the estimate for a request it aborted once sent, which may have been billed). The
 * gate knows providers, models and tokens; never HTTP.
 */
export interface BudgetGate {
  reserve(claim: BudgetClaim): BudgetDecision;
  settle(reservation: BudgetReservation, usage: Usage | undefined): void;
}
