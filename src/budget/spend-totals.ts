import type { Spend } from './spend-ledger.js';

/** Per-provider totals, as the ledger and the in-memory month keep them. */
export type SpendTotals = ReadonlyMap<string, Spend>;

/** One provider's total; nothing recorded is nothing spent. */
export function spendOf(totals: SpendTotals, provider: string): Spend {
  return totals.get(provider) ?? { tokens: 0, cost: 0 };
}

/** Every provider's together: what the overall budget counts. */
export function sumOfSpend(totals: SpendTotals): Spend {
  let tokens = 0;
  let cost = 0;
  for (const spend of totals.values()) {
    tokens += spend.tokens;
    cost += spend.cost;
  }
  return { tokens, cost };
}
