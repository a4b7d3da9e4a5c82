/**
 * `--tool-share`: which conversations are steered toward Ada's tools. Each new conversation is
 * planned "tools" or "no-tools" by the deficit against the target among the conversations the
 * output holds, counting those in flight at what their plan is expected to give. A plan steers
 * only the simulated user, so a conversation counts by what happened: one where Ada called a tool
 * anyway is a conversation with tools, and the next plans make up for it. Nothing paid for is
 * thrown away to reach the share.
 */
import type { ToolPlan } from './conversation-topics.js';

/** Saved conversations of one plan, and how many of them used tools. */
export interface PlanAdherence {
  readonly planned: number;
  readonly used: number;
}

/** What the output already holds: where a resumed run starts from. */
export interface ToolShareTally {
  /** Conversations in the output. */
  readonly saved: number;
  /** Those with at least one tool call. */
  readonly withTools: number;
  /** Saved conversations that carry a plan (`metadata.toolShare.plan`), per plan. */
  readonly adherence: Readonly<Record<ToolPlan, PlanAdherence>>;
}

export const EMPTY_TALLY: ToolShareTally = Object.freeze({
  saved: 0,
  withTools: 0,
  adherence: Object.freeze({ tools: { planned: 0, used: 0 }, 'no-tools': { planned: 0, used: 0 } }),
});

/** How a planned conversation ended: saved to the output (with or without a tool call) or not. */
export type PlanOutcome = { readonly saved: true; readonly usedTools: boolean } | { readonly saved: false };

/**
 * Until saved conversations say otherwise, a plan is taken to work as intended two times out of
 * two: enough that one early surprise does not swing the estimate, little enough that the run's
 * own figures take over within a few dozen conversations.
 */
const PRIOR: Readonly<Record<ToolPlan, PlanAdherence>> = { tools: { planned: 2, used: 2 }, 'no-tools': { planned: 2, used: 0 } };

export class ToolShareSteering {
  readonly target: number;
  #saved: number;
  #withTools: number;
  readonly #adherence: Record<ToolPlan, { planned: number; used: number }>;
  readonly #inFlight: Record<ToolPlan, number> = { tools: 0, 'no-tools': 0 };

  /** `target` from 0 to 1; `tally` what the output already holds. */
  constructor(target: number, tally: ToolShareTally = EMPTY_TALLY) {
    if (!Number.isFinite(target) || target < 0 || target > 1) {
      throw new RangeError(`Expected \`target\` to be a share from 0 to 1, got \`${String(target)}\` (${typeof target})`);
    }
    this.target = target;
    this.#saved = tally.saved;
    this.#withTools = tally.withTools;
    this.#adherence = { tools: { ...tally.adherence.tools }, 'no-tools': { ...tally.adherence['no-tools'] } };
  }

  /**
   * The plan for a conversation about to start: whichever brings the expected number with tools,
   * over the saved ones and those in flight, nearer the target share (no tools on a tie).
   */
  assign(): ToolPlan {
    const withTools = this.#expectedWithTools();
    const goal = this.target * (this.#saved + this.#inFlight.tools + this.#inFlight['no-tools'] + 1);
    const missWithTools = Math.abs(withTools + this.usesToolsRate('tools') - goal);
    const missWithout = Math.abs(withTools + this.usesToolsRate('no-tools') - goal);
    const plan: ToolPlan = missWithTools < missWithout ? 'tools' : 'no-tools';
    this.#inFlight[plan]++;
    return plan;
  }

  /** Called once per assigned plan, when its conversation is saved, labelled invalid, rolled back or discarded. */
  settle(plan: ToolPlan, outcome: PlanOutcome): void {
    this.#inFlight[plan] = Math.max(0, this.#inFlight[plan] - 1);
    if (!outcome.saved) return;
    this.#saved++;
    this.#adherence[plan].planned++;
    if (outcome.usedTools) {
      this.#withTools++;
      this.#adherence[plan].used++;
    }
  }

  /** How often a conversation of this plan has used tools, the prior included. */
  usesToolsRate(plan: ToolPlan): number {
    const observed = this.#adherence[plan];
    return (observed.used + PRIOR[plan].used) / (observed.planned + PRIOR[plan].planned);
  }

  /** What the output holds now. */
  get tally(): ToolShareTally {
    return {
      saved: this.#saved,
      withTools: this.#withTools,
      adherence: { tools: { ...this.#adherence.tools }, 'no-tools': { ...this.#adherence['no-tools'] } },
    };
  }

  #expectedWithTools(): number {
    return this.#withTools + this.#inFlight.tools * this.usesToolsRate('tools') + this.#inFlight['no-tools'] * this.usesToolsRate('no-tools');
  }
}
