/**
 * `--tool-share` in the report: the share of the output with tool calls against the target the
 * run aimed at, and how each plan turned out (a plan steers the simulated user; the model still
 * decides whether to call, so the plans' own shares say how well the steering takes).
 */
import type { ConversationFacts } from './conversation-facts.js';
import { rate } from './histogram.js';
import type { PlanFigures, ToolShareFigures } from './report-types.js';

export class ToolShareTally {
  #valid = 0;
  #validWithCalls = 0;
  /** The target of the most recently finished line that carries one, and when that line finished. */
  #latest: { target: number; finishedAt: number } | undefined;
  readonly #plans = { tools: { conversations: 0, withCalls: 0 }, 'no-tools': { conversations: 0, withCalls: 0 } };

  add(facts: ConversationFacts, valid: boolean): void {
    const withCalls = facts.calls.length > 0;
    if (valid) {
      this.#valid++;
      if (withCalls) this.#validWithCalls++;
    }
    if (facts.toolShare === undefined) return;
    const plan = this.#plans[facts.toolShare.plan];
    plan.conversations++;
    if (withCalls) plan.withCalls++;
    // A line without a time counts as the latest read: the output is in the order lines were saved.
    const finishedAt = facts.finishedAt ?? Number.POSITIVE_INFINITY;
    if (this.#latest === undefined || finishedAt >= this.#latest.finishedAt) this.#latest = { target: facts.toolShare.target, finishedAt };
  }

  figures(): ToolShareFigures | null {
    if (this.#latest === undefined) return null;
    const plan = (tally: { conversations: number; withCalls: number }): PlanFigures => ({ ...tally, share: rate(tally.withCalls, tally.conversations) });
    return {
      targetShare: this.#latest.target,
      reachedShare: rate(this.#validWithCalls, this.#valid),
      valid: this.#valid,
      validWithCalls: this.#validWithCalls,
      byPlan: { tools: plan(this.#plans.tools), noTools: plan(this.#plans['no-tools']) },
    };
  }
}
