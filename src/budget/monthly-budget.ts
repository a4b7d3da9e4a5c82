import type { BudgetClaim, BudgetDecision, BudgetGate, BudgetReservation, MonthlyBudgets, MonthlyLimit } from '../core/budget.js';
import { NightshiftError } from '../core/errors.js';
import type { ModelPrice, ProviderName, Usage } from '../core/types.js';
import { monthOf, resetDateOf } from './calendar-month.js';
import { describeSpend } from './describe-spend.js';
import { markedReason, type Spend, type SpendLedger, type SpentMark } from './spend-ledger.js';
import { spendOf, sumOfSpend } from './spend-totals.js';

export interface MonthlyBudgetOptions {
  readonly ledger: SpendLedger;
  readonly budgets: MonthlyBudgets;
  /** Prices by configured model name; a model without one costs 0 (the configuration refuses cost budgets over unpriced models). */
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** The providers of this run: once every one of them is out of budget, the run is. */
  readonly providers: readonly ProviderName[];
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Called once a month, the first time nothing more may be spent: the overall budget has no
   * room for a request, or every provider of the run is out of its own. The run should drain.
   */
  readonly onSpent?: (reason: string) => void;
}

interface Reservation {
  readonly month: string;
  readonly provider: ProviderName;
  readonly model: string;
  readonly spend: Spend;
}

/** One month's running totals, kept in memory so a reservation costs no read. */
interface MonthState {
  readonly month: string;
  readonly used: Map<string, Spend>;
  readonly reserved: Map<string, Spend>;
  /** Budgets found with no room this month (this run or an earlier one), by provider or `overall`. */
  readonly marks: Map<string, SpentMark>;
  readonly spentProviders: Set<ProviderName>;
  spentReported: boolean;
}

/**
 * The dispatcher's BudgetGate over a SpendLedger: a request reserves its estimated tokens and cost
 * before it is sent, against its provider's monthly budget and the overall one, and settles with
 * the usage reported after; what is in flight therefore never takes a budget past its limit
 * (within the estimate: 4 characters a token for the input, the request's max tokens for the output).
 */
export class MonthlyBudget implements BudgetGate {
  readonly #options: MonthlyBudgetOptions;
  readonly #now: () => number;
  readonly #reservations = new Map<number, Reservation>();
  #state: MonthState;

  constructor(options: MonthlyBudgetOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#state = this.#load(monthOf(this.#now()));
  }

  get month(): string {
    return this.#current().month;
  }

  reserve(claim: BudgetClaim): BudgetDecision {
    const state = this.#current();
    const spend = { tokens: claim.inputTokens + claim.outputTokens, cost: this.#cost(claim.model, claim.inputTokens, claim.outputTokens) };
    const overall = this.#refusal(this.#options.budgets.overall, sumOfSpend(state.used), sumOfSpend(state.reserved), spend, state.month);
    if (overall !== undefined) {
      const reason = `overall ${overall}`;
      this.#mark(state, undefined, this.#options.budgets.overall, reason);
      this.#reportSpent(state, reason);
      return { granted: false, scope: 'overall', reason };
    }
    const limit = this.#options.budgets.providers[claim.provider];
    const own = limit === undefined ? undefined : this.#refusal(limit, spendOf(state.used, claim.provider), spendOf(state.reserved, claim.provider), spend, state.month);
    if (limit !== undefined && own !== undefined) {
      this.#mark(state, claim.provider, limit, own);
      state.spentProviders.add(claim.provider);
      if (this.#options.providers.every((provider) => state.spentProviders.has(provider))) {
        this.#reportSpent(state, `every provider's monthly budget is spent (last: ${claim.provider}, ${own})`);
      }
      return { granted: false, scope: 'provider', reason: own };
    }
    const id = this.#write(() => this.#options.ledger.reserve(state.month, claim.provider, spend));
    add(state.reserved, claim.provider, spend, 1);
    this.#reservations.set(id, { month: state.month, provider: claim.provider, model: claim.model, spend });
    return { granted: true, reservation: { id } };
  }

  settle(reservation: BudgetReservation, usage: Usage | undefined): void {
    const held = this.#reservations.get(reservation.id);
    if (held === undefined) return;
    this.#reservations.delete(reservation.id);
    // A failed request is refunded, unless the dispatcher settled one it aborted with its estimate (chargedWhenCutOff).
    const spent: Spend =
      usage === undefined
        ? { tokens: 0, cost: 0 }
        : { tokens: usage.inputTokens + usage.outputTokens, cost: this.#cost(held.model, usage.inputTokens, usage.outputTokens) };
    this.#write(() => this.#options.ledger.settle(reservation.id, held.month, held.provider, spent));
    if (held.month !== this.#state.month) return;
    add(this.#state.reserved, held.provider, held.spend, -1);
    add(this.#state.used, held.provider, spent, 1);
  }

  /**
   * Why nothing may be sent at all this month, before anything is tried: the overall budget is
   * used up, or a run this month already found no room left in it (and it was not raised since).
   */
  overallSpentReason(): string | undefined {
    const state = this.#current();
    const limit = this.#options.budgets.overall;
    return this.#exhausted(limit, sumOfSpend(state.used), state.month, 'overall ') ?? markedReason(state.marks.get('overall'), limit);
  }

  /** Why `provider` may send nothing this month: its own budget is used up (or was found so). */
  providerSpentReason(provider: ProviderName): string | undefined {
    const state = this.#current();
    const limit = this.#options.budgets.providers[provider];
    if (limit === undefined) return undefined;
    return this.#exhausted(limit, spendOf(state.used, provider), state.month, '') ?? markedReason(state.marks.get(provider), limit);
  }

  /** What this month has used and reserved so far, per provider, for the start-up line. */
  used(): ReadonlyMap<string, Spend> {
    return this.#current().used;
  }

  #current(): MonthState {
    const month = monthOf(this.#now());
    if (month !== this.#state.month) this.#state = this.#load(month);
    return this.#state;
  }

  #load(month: string): MonthState {
    // Reservations of this process count as reserved whatever month they were taken in; the
    // ledger's own rows for the month are ours, so they are read from memory instead.
    const reserved = new Map<string, Spend>();
    for (const held of this.#reservations.values()) if (held.month === month) add(reserved, held.provider, held.spend, 1);
    const ledger = this.#options.ledger;
    return { month, used: ledger.spent(month), reserved, marks: ledger.spentMarks(month), spentProviders: new Set(), spentReported: false };
  }

  #refusal(limit: MonthlyLimit, used: Spend, reserved: Spend, claim: Spend, month: string): string | undefined {
    const tokensOver = limit.tokens !== undefined && used.tokens + reserved.tokens + claim.tokens > limit.tokens;
    const costOver = limit.costUsd !== undefined && used.cost + reserved.cost + claim.cost > limit.costUsd;
    if (!tokensOver && !costOver) return undefined;
    const committed = { tokens: used.tokens + reserved.tokens, cost: used.cost + reserved.cost };
    return `monthly budget spent (${describeSpend(committed, limit, tokensOver)}); resets ${resetDateOf(month)}`;
  }

  #exhausted(limit: MonthlyLimit, used: Spend, month: string, prefix: string): string | undefined {
    const tokensOut = limit.tokens !== undefined && used.tokens >= limit.tokens;
    const costOut = limit.costUsd !== undefined && used.cost >= limit.costUsd;
    if (!tokensOut && !costOut) return undefined;
    return `${prefix}monthly budget spent (${describeSpend(used, limit, tokensOut)}); resets ${resetDateOf(month)}`;
  }

  /** Kept in the ledger, so a restart this month knows without trying (once per budget and month). */
  #mark(state: MonthState, provider: ProviderName | undefined, limit: MonthlyLimit, reason: string): void {
    const key = provider ?? 'overall';
    if (markedReason(state.marks.get(key), limit) !== undefined) return;
    const mark = { limit, reason };
    state.marks.set(key, mark);
    this.#write(() => this.#options.ledger.markSpent(state.month, provider, limit, reason));
  }

  /**
   * A ledger that cannot be written (disk full) can no longer keep a budget: a storage failure
   * (code `STORE_…`), which stops the run at once like a full output disk does, not a discarded
   * conversation.
   */
  #write<T>(write: () => T): T {
    try {
      return write();
    } catch (error) {
      const detail = (error as { code?: unknown }).code ?? (error as Error).message;
      throw new NightshiftError('STORE_LEDGER_FAILED', `the monthly spend ledger cannot be written (${String(detail)})`, { cause: error });
    }
  }

  #reportSpent(state: MonthState, reason: string): void {
    if (state.spentReported) return;
    state.spentReported = true;
    this.#options.onSpent?.(reason);
  }

  #cost(model: string, inputTokens: number, outputTokens: number): number {
    const price = this.#options.prices[model];
    return price === undefined ? 0 : (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
  }
}

function add(totals: Map<string, Spend>, provider: string, spend: Spend, sign: 1 | -1): void {
  const current = spendOf(totals, provider);
  totals.set(provider, { tokens: current.tokens + sign * spend.tokens, cost: current.cost + sign * spend.cost });
}
