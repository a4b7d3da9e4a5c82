import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { MEMORY_TOPICS, pickSteeredTopic, TOOL_PLAN_INSTRUCTIONS, TOPICS, type ToolPlan } from '../../../src/pipelines/ada/conversation-topics.js';
import { generateSimulatedUsers } from '../../../src/pipelines/ada/simulated-users.js';

const users = generateSimulatedUsers(200, 1);

function draw(plan: ToolPlan, count = 2000) {
  const random = createRandom(4);
  return Array.from({ length: count }, (_, index) => pickSteeredTopic(random, users[index % users.length]!, plan));
}

describe('topics for a planned conversation', () => {
  it('without tools: never a memory topic, and the tester is told to keep away from memory and the diary', () => {
    const topics = draw('no-tools');
    expect(topics.filter(({ topic }) => MEMORY_TOPICS.includes(topic))).toEqual([]);
    for (const { topic, testerTopic } of topics) expect(testerTopic).toBe(`${topic} ${TOOL_PLAN_INSTRUCTIONS['no-tools']}`);
  });

  it('with tools: about one in seven opens on a memory topic, the rest on any other, and all are told to ask for memory or the diary', () => {
    const topics = draw('tools');
    const memory = topics.filter(({ topic }) => MEMORY_TOPICS.includes(topic)).length;
    expect(memory / topics.length).toBeGreaterThan(0.1);
    expect(memory / topics.length).toBeLessThan(0.2);
    for (const { topic, testerTopic } of topics) expect(testerTopic).toBe(`${topic} ${TOOL_PLAN_INSTRUCTIONS.tools}`);
  });

  it('either plan keeps the openings as varied as before: many distinct topics, none over 5 %', () => {
    for (const plan of ['tools', 'no-tools'] as const) {
      const counts = new Map<string, number>();
      for (const { topic } of draw(plan)) counts.set(topic, (counts.get(topic) ?? 0) + 1);
      expect(counts.size, plan).toBeGreaterThan(TOPICS.length + 40 - MEMORY_TOPICS.length);
      expect(Math.max(...counts.values()), plan).toBeLessThan(2000 * 0.05);
    }
  });

  it("the memory topics still sit where they did in the list, so a run without --tool-share draws today's topics", () => {
    expect(TOPICS).toHaveLength(36);
    expect(TOPICS.slice(18, 23)).toEqual(MEMORY_TOPICS);
  });
});
