import type { MonthlyBudgets, MonthlyLimit } from '../core/budget.js';
import { ConfigError } from '../core/errors.js';
import type { ProviderName } from '../core/types.js';
import type { ModelPrice, ProviderSettings } from './configuration.js';
import type { SecretsFile } from './secrets-schema.js';

export type { MonthlyBudgets, MonthlyLimit };

/**
 * `budgets` and `providers.<name>.monthly_*` as the run uses them. Every provider's budget is
 * kept, also of providers this run does not use: `status` shows what is left of each.
 */
export function readMonthlyBudgets(secrets: SecretsFile): MonthlyBudgets {
  const providers: Partial<Record<ProviderName, MonthlyLimit>> = {};
  for (const [name, overrides] of Object.entries(secrets.providers ?? {})) {
    const limit = toLimit(overrides.monthly_tokens, overrides.monthly_cost_usd);
    if (limit !== undefined) providers[name as ProviderName] = limit;
  }
  return { overall: toLimit(secrets.budgets?.monthly_tokens, secrets.budgets?.monthly_cost_usd) ?? {}, providers };
}

function toLimit(tokens: number | undefined, costUsd: number | undefined): MonthlyLimit | undefined {
  if (tokens === undefined && costUsd === undefined) return undefined;
  return { ...(tokens === undefined ? {} : { tokens }), ...(costUsd === undefined ? {} : { costUsd }) };
}

/**
 * A cost budget counts only priced models, so a model without a price would spend past it
 * unseen: refused at start, naming the models and where their prices go.
 */
export function checkCostBudgetsArePriced(
  budgets: MonthlyBudgets,
  providers: readonly ProviderSettings[],
  prices: Readonly<Record<string, ModelPrice>>,
  displayPath: string,
): void {
  const problems: string[] = [];
  const unpriced = (settings: readonly ProviderSettings[]) =>
    [...new Set(settings.flatMap((provider) => Object.values(provider.models)))].filter((model) => prices[model] === undefined);
  if (budgets.overall.costUsd !== undefined) {
    const missing = unpriced(providers);
    if (missing.length > 0) problems.push(`budgets.monthly_cost_usd needs a price for every model the run may use; none for ${missing.join(', ')}`);
  }
  for (const provider of providers) {
    if (budgets.providers[provider.name]?.costUsd === undefined) continue;
    const missing = unpriced([provider]);
    if (missing.length > 0) problems.push(`providers.${provider.name}.monthly_cost_usd needs a price for each of its models; none for ${missing.join(', ')}`);
  }
  if (problems.length === 0) return;
  throw new ConfigError(
    `${displayPath}: ${problems.join('; ')}.\n` +
      `Add them under "prices" ({"<model>": {"input_per_million": …, "output_per_million": …}}; 0 for a free model), ` +
      `or budget in tokens instead (monthly_tokens).`,
  );
}
