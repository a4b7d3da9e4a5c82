import type { MonthlyLimit } from '../core/budget.js';
import type { Spend } from './spend-ledger.js';

const integers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatTokens(tokens: number): string {
  return integers.format(Math.round(tokens));
}

export function formatDollars(amount: number): string {
  return `$${money.format(amount)}`;
}

/** "4,998,311 of 5,000,000 tokens" or "$24.98 of $25.00": the figure of the limit that binds. */
export function describeSpend(spend: Spend, limit: MonthlyLimit, tokensBind: boolean): string {
  if (tokensBind && limit.tokens !== undefined) return `${formatTokens(spend.tokens)} of ${formatTokens(limit.tokens)} tokens`;
  if (limit.costUsd !== undefined) return `${formatDollars(spend.cost)} of ${formatDollars(limit.costUsd)}`;
  return `${formatTokens(spend.tokens)} tokens`;
}
