import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../../src/core/random.js';
import type { ToolPlan } from '../../../src/pipelines/ada/conversation-topics.js';
import { ToolShareSteering } from '../../../src/pipelines/ada/tool-share-steering.js';

/**
 * A run as the runner makes it: `inFlight` conversations at once, each finishing in a random
 * order; a conversation uses tools with the chance its plan gives (`uses`), and `discards` of
 * them are never saved. Returns how many of `target` saved conversations used tools.
 */
function simulateRun(
  steering: ToolShareSteering,
  options: { target: number; inFlight: number; random: Random; uses: Record<ToolPlan, number>; discards?: number },
): { saved: number; withTools: number; plans: ToolPlan[] } {
  const running: ToolPlan[] = [];
  const plans: ToolPlan[] = [];
  let saved = 0;
  let withTools = 0;
  while (saved < options.target) {
    // The runner keeps starting conversations while the saved ones and those in flight fall short.
    while (running.length < options.inFlight && saved + running.length < options.target) {
      const plan = steering.assign();
      plans.push(plan);
      running.push(plan);
    }
    const [plan] = running.splice(Math.floor(options.random() * running.length), 1) as [ToolPlan];
    if (options.random() < (options.discards ?? 0)) {
      steering.settle(plan, { saved: false });
      continue;
    }
    const usedTools = options.random() < options.uses[plan];
    steering.settle(plan, { saved: true, usedTools });
    saved++;
    if (usedTools) withTools++;
  }
  return { saved, withTools, plans };
}

const OBEDIENT = { tools: 1, 'no-tools': 0 };

describe('planning each conversation by the deficit against the target share', () => {
  it('one conversation at a time, plans that always work hit the share to within one conversation at every point', () => {
    for (const target of [0, 0.3, 0.5, 0.7, 1]) {
      const steering = new ToolShareSteering(target);
      let withTools = 0;
      for (let saved = 1; saved <= 200; saved++) {
        const plan = steering.assign();
        if (plan === 'tools') withTools++;
        steering.settle(plan, { saved: true, usedTools: plan === 'tools' });
        expect(Math.abs(withTools - target * saved), `target ${target} after ${saved}`).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    }
  });

  it('30 conversations in flight at once do not all get the same plan: those in flight count at their plan', () => {
    const steering = new ToolShareSteering(0.3);
    const first = Array.from({ length: 30 }, () => steering.assign());
    expect(first.filter((plan) => plan === 'tools')).toHaveLength(9);
  });

  it('when no-tools conversations use tools anyway one time in five, later plans make up for it and the share is still reached', () => {
    for (const target of [0.3, 0.7]) {
      const steering = new ToolShareSteering(target);
      const run = simulateRun(steering, { target: 2000, inFlight: 16, random: createRandom(7), uses: { tools: 0.9, 'no-tools': 0.2 }, discards: 0.05 });
      expect(Math.abs(run.withTools / run.saved - target), `target ${target}`).toBeLessThan(0.01);
      // Learned from the run: a no-tools plan is now known to give tools about one time in five.
      expect(steering.usesToolsRate('no-tools')).toBeCloseTo(0.2, 1);
      expect(steering.usesToolsRate('tools')).toBeCloseTo(0.9, 1);
    }
  });

  it('a target the model makes impossible is approached as near as it can be: every plan is no-tools', () => {
    const steering = new ToolShareSteering(0.1);
    const run = simulateRun(steering, { target: 500, inFlight: 8, random: createRandom(3), uses: { tools: 1, 'no-tools': 0.4 } });
    expect(run.plans.slice(100).every((plan) => plan === 'no-tools')).toBe(true);
    expect(run.withTools / run.saved).toBeGreaterThan(0.3);
  });

  it('a discarded or rolled-back conversation gives its plan back: the next one gets it', () => {
    const steering = new ToolShareSteering(0.5);
    expect(steering.assign()).toBe('no-tools');
    const second = steering.assign();
    expect(second).toBe('tools');
    steering.settle(second, { saved: false });
    expect(steering.assign()).toBe('tools');
    expect(steering.tally.saved).toBe(0);
  });

  it('a resumed run starts from what the output holds: 40 saved with none using tools, at 0.5 the next ten are all tools', () => {
    const steering = new ToolShareSteering(0.5, { saved: 40, withTools: 0, adherence: { tools: { planned: 0, used: 0 }, 'no-tools': { planned: 0, used: 0 } } });
    expect(Array.from({ length: 10 }, () => steering.assign())).toEqual(Array(10).fill('tools'));
  });

  it('a target outside 0 to 1 is refused with what was expected and found', () => {
    expect(() => new ToolShareSteering(1.5)).toThrow('Expected `target` to be a share from 0 to 1, got `1.5` (number)');
    expect(() => new ToolShareSteering(Number.NaN)).toThrow(RangeError);
  });
});
