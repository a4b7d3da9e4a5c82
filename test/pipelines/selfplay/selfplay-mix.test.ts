import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { drawExamplePlan, requestInstructions, BEHAVIORS } from '../../../src/pipelines/selfplay/selfplay-mix.js';
import { SESSION_ID_PATTERN, sessionId, WORKSPACE_ID_PATTERN, workspaceId } from '../../../src/pipelines/selfplay/selfplay-ids.js';

describe('the self-play mix', () => {
  it('over 20,000 draws the shares are the original generator’s: 20/50/20/10 workspaces, 70/30 tool-based, behaviors 25/20/20/20/15', () => {
    const random = createRandom(7);
    const counts = new Map<string, number>();
    const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
    const draws = 20_000;
    for (let index = 0; index < draws; index++) {
      const plan = drawExamplePlan(random);
      count(plan.environment);
      count(plan.type);
      if (plan.type === 'behavioral') count(plan.behavior);
    }
    const share = (key: string, of = draws) => (counts.get(key) ?? 0) / of;
    expect(share('simple')).toBeCloseTo(0.2, 1);
    expect(share('complex')).toBeCloseTo(0.5, 1);
    expect(share('project')).toBeCloseTo(0.2, 1);
    expect(share('knowledge-base')).toBeCloseTo(0.1, 1);
    expect(share('tool-based')).toBeCloseTo(0.7, 1);
    const behavioral = counts.get('behavioral') ?? 0;
    for (const behavior of BEHAVIORS) expect(share(behavior.name, behavioral)).toBeCloseTo(behavior.share, 1);
  });

  it('a behavioral plan asks for its behavior, a tool-based one for a plain task', () => {
    expect(requestInstructions({ type: 'behavioral', environment: 'simple', behavior: 'verification-before-action' })).toContain('confirms');
    expect(requestInstructions({ type: 'tool-based', environment: 'simple' })).toContain('one tool call');
  });

  it('ids have the original shape, come from the clock and the seeded random, and differ between draws', () => {
    const random = createRandom(1);
    const now = Date.UTC(2026, 11, 1, 20, 0, 0);
    const first = sessionId(now, random);
    expect(first).toMatch(SESSION_ID_PATTERN);
    expect(first.startsWith(`session_${now}_`)).toBe(true);
    expect(workspaceId(now, random)).toMatch(WORKSPACE_ID_PATTERN);
    expect(sessionId(now, random)).not.toBe(first);
    expect(() => sessionId(12, random)).toThrow('13 digits');
  });
});
