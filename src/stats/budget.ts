import type { ProgressRecord } from './progress-record.js';

export interface BudgetLimits {
  /** Input plus output tokens of this run. @default undefined (no cap) */
  readonly maxTokens?: number;
  /** Cost of this run in the price list's currency; needs prices, else never reached. @default undefined */
  readonly maxCost?: number;
  /** Hours since this run started. @default undefined */
  readonly maxHours?: number;
}

const integers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const hours = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * Returns why the run must stop, as a sentence for the log and the status file, or null while
 * every cap still has room. A cap is reached when the used amount is at or above it. Budgets cover
 * this run (this process) only: the counters start from zero when a run resumes.
 */
export function checkBudget(record: ProgressRecord, limits: BudgetLimits): string | null {
  const spent = checkSpend({ tokens: record.tokens.input + record.tokens.output, cost: record.cost?.total }, limits);
  if (spent !== null) return spent;
  const elapsedHours = record.elapsedSeconds / 3600;
  if (limits.maxHours !== undefined && elapsedHours >= limits.maxHours) {
    return `time budget reached: ${hours.format(elapsedHours)} h of ${plain.format(limits.maxHours)} h`;
  }
  return null;
}

/** The token and cost caps alone, from running totals: cheap enough to check after every reply. */
export function checkSpend(spent: { readonly tokens: number; readonly cost: number | undefined }, limits: BudgetLimits): string | null {
  if (limits.maxTokens !== undefined && spent.tokens >= limits.maxTokens) {
    return `token budget reached: ${integers.format(spent.tokens)} of ${integers.format(limits.maxTokens)} tokens`;
  }
  if (limits.maxCost !== undefined && spent.cost !== undefined && spent.cost >= limits.maxCost) {
    return `cost budget reached: $${money.format(spent.cost)} of $${money.format(limits.maxCost)}`;
  }
  return null;
}

/**
 * Why `--max-cost` cannot be kept with this price list, or null when it can (or is not set). The
 * cost only counts priced models, so a model without a price would let the cap pass silently.
 */
export function costCapProblem(
  maxCost: number | undefined,
  models: Iterable<string>,
  prices: Readonly<Record<string, unknown>>,
): string | null {
  if (maxCost === undefined) return null;
  const unpriced = [...new Set(models)].filter((model) => prices[model] === undefined);
  if (unpriced.length === 0) return null;
  return (
    `--max-cost needs a price for every model the run may use; none for ${unpriced.join(', ')}. ` +
    'Add them under "prices" in secrets.json ({"<model>": {"input_per_million": …, "output_per_million": …}}), ' +
    'or cap the run with --max-tokens instead.'
  );
}
