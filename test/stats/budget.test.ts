import { describe, expect, it } from 'vitest';
import { checkBudget, costCapProblem } from '../../src/stats/budget.js';
import { progressRecord } from './fixtures.js';

describe('checkBudget', () => {
  it('stops on tokens with both numbers in the reason', () => {
    const record = progressRecord({ tokens: { input: 900_000, output: 100_512 } });
    expect(checkBudget(record, { maxTokens: 1_000_000 })).toBe('token budget reached: 1,000,512 of 1,000,000 tokens');
    expect(checkBudget(record, { maxTokens: 2_000_000 })).toBeNull();
  });

  it('stops on cost only when prices make a cost known', () => {
    const priced = progressRecord({ cost: { total: 10.02, projectedAtTarget: 30, unpricedModels: [] } });
    expect(checkBudget(priced, { maxCost: 10 })).toBe('cost budget reached: $10.02 of $10.00');
    expect(checkBudget(priced, { maxCost: 11 })).toBeNull();
    expect(checkBudget(progressRecord({ cost: null }), { maxCost: 0 })).toBeNull();
  });

  it('stops on wall hours of this run', () => {
    expect(checkBudget(progressRecord({ elapsedSeconds: 8 * 3600 }), { maxHours: 8 })).toBe('time budget reached: 8.0 h of 8 h');
    expect(checkBudget(progressRecord({ elapsedSeconds: 8 * 3600 - 1 }), { maxHours: 8 })).toBeNull();
  });

  it('without caps never stops', () => {
    expect(checkBudget(progressRecord({ tokens: { input: 1e12, output: 1e12 } }), {})).toBeNull();
  });
});

describe('costCapProblem', () => {
  const price = { inputPerMillion: 1, outputPerMillion: 2 };

  it('refuses a cost cap when a model the run may use has no price, naming it once', () => {
    const problem = costCapProblem(5, ['small', 'large', 'small'], { large: price });
    expect(problem).toMatch(/^--max-cost needs a price for every model the run may use; none for small\. /);
    expect(costCapProblem(5, ['small'], {})).toContain('none for small');
  });

  it('accepts a cost cap when every model is priced, and no cap at all', () => {
    expect(costCapProblem(5, ['small', 'large'], { small: price, large: price })).toBeNull();
    expect(costCapProblem(undefined, ['small'], {})).toBeNull();
  });
});
