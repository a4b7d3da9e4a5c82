import type { BudgetGate } from '../core/budget.js';
import { ProviderError } from '../core/errors.js';
import type { RoleRequest, Usage } from '../core/types.js';
import type { ProviderSlot } from './provider-slot.js';

/** Output reserved against a budget when the request sets no maxTokens. */
export const DEFAULT_OUTPUT_TOKEN_ESTIMATE = 1_024;

/** What one request holds of a budget until it ends; `settle` more than once is harmless. */
export interface BudgetHold {
  /** The reported usage, or undefined when the request failed (a refund). */
  settle(usage: Usage | undefined): void;
}

const NO_HOLD: BudgetHold = Object.freeze({ settle: () => undefined });

/** What a request may spend, known before it is sent; the token bucket takes the sum. */
export interface TokenEstimate {
  /** Four characters a token. */
  readonly inputTokens: number;
  /** The request's maxTokens, or DEFAULT_OUTPUT_TOKEN_ESTIMATE. */
  readonly outputTokens: number;
}

/** Once per request: every attempt (retries, failovers) reuses it. */
export function estimateTokens(request: RoleRequest): TokenEstimate {
  let characters = 0;
  for (const message of request.messages) characters += message.content.length;
  return { inputTokens: Math.ceil(characters / 4), outputTokens: request.maxTokens ?? DEFAULT_OUTPUT_TOKEN_ESTIMATE };
}

/**
 * Reserves the request's estimate right before it is sent. A provider whose own budget has no
 * room is disabled with the gate's reason (`unavailable`: the request routes to another); when
 * nothing may be spent anywhere, the request fails with an `aborted` ProviderError, as in a drain.
 */
export function holdBudget(
  gate: BudgetGate | undefined,
  slot: ProviderSlot,
  model: string,
  estimate: TokenEstimate,
): BudgetHold | 'unavailable' {
  if (gate === undefined) return NO_HOLD;
  const decision = gate.reserve({
    provider: slot.name,
    model,
    inputTokens: estimate.inputTokens,
    outputTokens: estimate.outputTokens,
  });
  if (!decision.granted) {
    if (decision.scope === 'provider') {
      slot.health.disable(decision.reason);
      return 'unavailable';
    }
    throw new ProviderError(`${slot.name}: not sent: ${decision.reason}`, { provider: slot.name, kind: 'aborted' });
  }
  let settled = false;
  return {
    settle(usage) {
      if (settled) return;
      settled = true;
      gate.settle(decision.reservation, usage);
    },
  };
}
