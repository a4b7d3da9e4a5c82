/**
 * Monthly budgets: spend per calendar month (UTC) in the data directory, reserved before a request
 * is sent and settled after, behind the dispatcher's BudgetGate. Imports only `src/core/`.
 */
export { monthOf, resetDateOf } from './calendar-month.js';
export { formatBudgetReport, readBudgetReport, type BudgetLine, type BudgetReport } from './budget-report.js';
export { MonthlyBudget, type MonthlyBudgetOptions } from './monthly-budget.js';
export { LEDGER_FILE_NAME, ledgerPath, SpendLedger, type LeftoverReservations, type Spend } from './spend-ledger.js';
