import type { MonthlyLimit } from '../core/budget.js';
import { monthOf, resetDateOf } from './calendar-month.js';
import { formatDollars, formatTokens } from './describe-spend.js';
import { ledgerPath, markedReason, SpendLedger, type Spend } from './spend-ledger.js';
import { spendOf, sumOfSpend } from './spend-totals.js';

/** One budget's month so far: what it allows, what is used, and what requests in flight hold. */
export interface BudgetLine {
  readonly limit: MonthlyLimit;
  readonly used: Spend;
  readonly reserved: Spend;
  /** Set once a run found no room left for a request this month (README: budgets). */
  readonly spentReason?: string;
}

/** What `status` shows of the monthly budgets, read from the data directory alone. */
export interface BudgetReport {
  /** `2026-11` (UTC). */
  readonly month: string;
  /** `2026-12-01`: when every budget starts again. */
  readonly resetsOn: string;
  readonly overall: BudgetLine;
  /** Every provider with a budget or with spend this month. */
  readonly providers: Readonly<Record<string, BudgetLine>>;
}

/**
 * The budgets the last run configured and this month's spend, or undefined when no run has
 * recorded any spend in `dataDirectory`. Reads only; works with no daemon running (and with one).
 */
export function readBudgetReport(dataDirectory: string, now: number): BudgetReport | undefined {
  const ledger = SpendLedger.openReadOnly(ledgerPath(dataDirectory));
  if (ledger === undefined) return undefined;
  try {
    const month = monthOf(now);
    const limits = ledger.readLimits();
    const used = ledger.spent(month);
    const reserved = ledger.reserved(month);
    const marks = ledger.spentMarks(month);
    const line = (limit: MonthlyLimit, usedSpend: Spend, reservedSpend: Spend, key: string): BudgetLine => {
      const spentReason = markedReason(marks.get(key), limit);
      return { limit, used: usedSpend, reserved: reservedSpend, ...(spentReason === undefined ? {} : { spentReason }) };
    };
    const names = new Set([...Object.keys(limits.providers), ...used.keys(), ...reserved.keys()]);
    const providers: Record<string, BudgetLine> = {};
    for (const name of [...names].sort()) {
      providers[name] = line(limits.providers[name as keyof typeof limits.providers] ?? {}, spendOf(used, name), spendOf(reserved, name), name);
    }
    return { month, resetsOn: resetDateOf(month), overall: line(limits.overall, sumOfSpend(used), sumOfSpend(reserved), 'overall'), providers };
  } finally {
    ledger.close();
  }
}

const MONTH_NAMES = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "💰 Monthly budgets, November 2026 (UTC, resets 2026-12-01):" and one line per budget. */
export function formatBudgetReport(report: BudgetReport): string {
  const title = MONTH_NAMES.format(new Date(`${report.month}-01T00:00:00Z`));
  const lines = [`💰 Monthly budgets, ${title} (UTC; resets ${report.resetsOn}):`, `   overall: ${describeLine(report.overall, report.resetsOn)}`];
  for (const [name, line] of Object.entries(report.providers)) lines.push(`   ${name}: ${describeLine(line, report.resetsOn)}`);
  const inFlight = report.overall.reserved;
  if (inFlight.tokens > 0) lines.push(`   (${formatTokens(inFlight.tokens)} tokens reserved by requests in flight)`);
  return lines.join('\n');
}

function describeLine(line: BudgetLine, resetsOn: string): string {
  const { limit, used, reserved } = line;
  const parts: string[] = [];
  let spent = false;
  if (limit.tokens !== undefined) {
    const left = Math.max(0, limit.tokens - used.tokens - reserved.tokens);
    spent ||= left === 0;
    parts.push(`${formatTokens(used.tokens)} of ${formatTokens(limit.tokens)} tokens used, ${formatTokens(left)} left`);
  }
  if (limit.costUsd !== undefined) {
    const left = Math.max(0, limit.costUsd - used.cost - reserved.cost);
    spent ||= left < 0.005;
    parts.push(`${formatDollars(used.cost)} of ${formatDollars(limit.costUsd)} used, ${formatDollars(left)} left`);
  }
  if (parts.length === 0) {
    const cost = used.cost > 0 ? `, ${formatDollars(used.cost)}` : '';
    return `${formatTokens(used.tokens)} tokens${cost} used (no monthly budget)`;
  }
  // A run found too little left for its next request (counting what requests in flight held).
  const tooLittle = !spent && line.spentReason !== undefined ? ' (too little left for a request)' : '';
  return parts.join(' · ') + (spent || tooLittle !== '' ? ` — spent until ${resetsOn}${tooLittle}` : '');
}
