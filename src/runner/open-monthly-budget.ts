import type { Logger } from 'pino';
import { ledgerPath, MonthlyBudget, resetDateOf, SpendLedger } from '../budget/index.js';
import type { Configuration } from '../config/configuration.js';
import type { ProviderName } from '../core/types.js';
import { ProgressReporter, type RunStats } from '../stats/index.js';

/** How often the ledger's commits are made durable against a power loss too. */
const LEDGER_SYNC_INTERVAL_MS = 30_000;

export interface OpenedMonthlyBudget {
  readonly gate: MonthlyBudget;
  /** What to do once nothing more may be spent this month (the run drains); set once the run exists. */
  onSpent(handler: (reason: string) => void): void;
  /** Providers whose own budget is used up for this month, with the reason: the run goes on without them. */
  readonly spentProviders: ReadonlyMap<ProviderName, string>;
  /** Why nothing may be sent this month (the overall budget, or every provider's own), if so. */
  readonly nothingToSend: string | undefined;
  close(): void;
}

/**
 * The month's spend for a real run (the offline dry run spends nothing real and keeps no ledger):
 * counted even without budgets, so a budget set mid-month knows what the month already cost.
 * Logs leftovers of a crashed run and the month so far.
 */
export function openMonthlyBudget(options: { readonly configuration: Configuration; readonly logger: Logger }): OpenedMonthlyBudget {
  const { configuration, logger } = options;
  const file = ledgerPath(configuration.dataDir);
  const { ledger, leftover } = SpendLedger.open(file);
  try {
    if (leftover.requests > 0) {
      logger.warn(
        { requests: leftover.requests, tokens: leftover.tokens, ledger: file },
        `${leftover.requests} requests were in flight when the last run stopped without settling them; their estimated ${leftover.tokens} tokens count as spent this month`,
      );
    }
    ledger.writeLimits(configuration.budgets);
    const names = configuration.providers.map((provider) => provider.name);
    let spentHandler: (reason: string) => void = () => undefined;
    const gate = new MonthlyBudget({
      ledger,
      budgets: configuration.budgets,
      prices: configuration.prices,
      providers: names,
      onSpent: (reason) => spentHandler(reason),
    });
    const spentProviders = new Map<ProviderName, string>();
    for (const name of names) {
      const reason = gate.providerSpentReason(name);
      if (reason !== undefined) spentProviders.set(name, reason);
    }
    const overall = gate.overallSpentReason();
    const nothingToSend =
      overall ?? (spentProviders.size === names.length ? `every provider's monthly budget is spent (${describeAll(spentProviders)})` : undefined);
    const budgets = configuration.budgets;
    const anyBudget = Object.keys(budgets.overall).length > 0 || Object.keys(budgets.providers).length > 0;
    logger.info(
      { month: gate.month, used: Object.fromEntries(gate.used()), budgets },
      `month ${gate.month} so far: ${describeUsed(gate)}; ` +
        (anyBudget ? `monthly budgets reset ${resetDateOf(gate.month)}` : 'no monthly budget set (see README, "Monthly budgets")'),
    );
    const sync = setInterval(() => {
      try {
        ledger.sync();
      } catch (error) {
        // A failed checkpoint loses no commit (they are in the WAL); the next one tries again.
        logger.warn({ err: error, ledger: file }, 'could not checkpoint the monthly spend ledger');
      }
    }, LEDGER_SYNC_INTERVAL_MS);
    sync.unref();
    return {
      gate,
      onSpent: (handler) => {
        spentHandler = handler;
      },
      spentProviders,
      nothingToSend,
      close: () => {
        clearInterval(sync);
        ledger.close();
      },
    };
  } catch (error) {
    ledger.close();
    throw error;
  }
}

/**
 * A restart in a month whose budget is spent: says so, records it in the status file (so `status`
 * tells why), and sends nothing.
 */
export async function sendNothing(options: {
  readonly reason: string;
  readonly logger: Logger;
  readonly stats: RunStats;
  readonly statusFile: string;
  readonly outputPath: string;
  readonly logFile: string;
}): Promise<number> {
  options.logger.warn({ reason: options.reason }, `${options.reason}: nothing will be sent until then`);
  const { reason, logger, stats, statusFile, outputPath, logFile } = options;
  await new ProgressReporter({ stats, logger, statusFile, outputPath, logFile }).finish('stopped', reason);
  return 0;
}

/** Providers out of their own budget sit the run out, shown as disabled with the reason (progress record and log). */
export function announceSpentProviders(monthly: OpenedMonthlyBudget | undefined, stats: RunStats, logger: Logger): void {
  for (const [provider, reason] of monthly?.spentProviders ?? []) {
    stats.onDispatchEvent({ type: 'provider-state', provider, state: { status: 'disabled', reason } });
    logger.warn({ provider, reason }, `provider ${provider}: ${reason}; this run goes on without it`);
  }
}

function describeAll(reasons: ReadonlyMap<ProviderName, string>): string {
  return [...reasons].map(([name, reason]) => `${name}: ${reason}`).join('; ');
}

function describeUsed(gate: MonthlyBudget): string {
  const entries = [...gate.used()].filter(([, spend]) => spend.tokens > 0);
  if (entries.length === 0) return 'nothing spent';
  return entries.map(([name, spend]) => `${name} ${spend.tokens.toLocaleString('en-US')} tokens`).join(', ');
}
