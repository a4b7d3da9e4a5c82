import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../../src/pipelines/contract.js';
import { MEMORY_TOPICS, TOOL_PLAN_INSTRUCTIONS, type ToolPlan } from '../../../src/pipelines/ada/conversation-topics.js';
import { outOfReach, steerToolShare, tallyOutput, usesTools } from '../../../src/pipelines/ada/tool-share-run.js';
import { ToolShareSteering } from '../../../src/pipelines/ada/tool-share-steering.js';
import { ConversationStore } from '../../../src/store/index.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createPipelineFixture, PROMPTS, useSharedEmulator, type PipelineFixture } from './conversation-fixture.js';
import { createEmulatorRequester, type EmulatorRequester } from './emulator-requester.js';

let fixture: PipelineFixture | undefined;
const directories: { cleanup(): void }[] = [];
const emulator = useSharedEmulator(
  9,
  () => {
    fixture?.close();
    fixture = undefined;
    directories.splice(0).forEach((directory) => directory.cleanup());
  },
  // Ada calls tools when asked outright, and otherwise (almost) never: the plan alone decides.
  (started) => started.configure('together', { toolCallRate: 1e-9 }),
);

const context = (conversationId: string, requester: EmulatorRequester) => ({ conversationId, requester, signal: new AbortController().signal });
const testerPromptOf = (requester: EmulatorRequester): string =>
  requester.sent.find((request) => request.role === 'tester')?.messages[0]?.content ?? '';

describe('a plan steers the simulated user, never Ada', () => {
  for (const plan of ['tools', 'no-tools'] as const satisfies readonly ToolPlan[]) {
    it(`planned "${plan}": the tester is told so, Ada's system prompt is her own, and the line records the plan`, async () => {
      fixture = createPipelineFixture({ users: 3, turns: { min: 2, max: 2 } });
      for (let index = 0; index < 6; index++) {
        const requester = createEmulatorRequester(emulator());
        const unit = await fixture.conversations.run(context(`${plan}-${index}`, requester), { target: 0.4, plan });
        unit.commit();
        const saved = unit.conversation;
        expect(testerPromptOf(requester)).toContain(TOOL_PLAN_INSTRUCTIONS[plan]);
        for (const request of requester.sent.filter((sent) => sent.role === 'assistant')) expect(request.messages[0]?.content).toBe(PROMPTS.ada);
        expect(saved.conversations[0]).toEqual({ role: 'system', content: PROMPTS.ada });
        expect(saved.metadata['toolShare']).toEqual({ target: 0.4, plan });
        expect(saved.metadata['topic']).not.toContain(TOOL_PLAN_INSTRUCTIONS[plan]);
        if (plan === 'no-tools') expect(MEMORY_TOPICS).not.toContain(saved.metadata['topic']);
        expect(usesTools(saved), JSON.stringify(saved.conversations.filter((message) => message.role === 'user'))).toBe(plan === 'tools');
      }
    });
  }

  it('without --tool-share the tester prompt carries no plan and the line no toolShare', async () => {
    fixture = createPipelineFixture();
    const requester = createEmulatorRequester(emulator());
    const unit = await fixture.conversations.run(context('plain', requester));
    unit.commit();
    for (const instruction of Object.values(TOOL_PLAN_INSTRUCTIONS)) expect(testerPromptOf(requester)).not.toContain(instruction);
    expect(unit.conversation.metadata).not.toHaveProperty('toolShare');
  });
});

describe('each plan is settled once, by what became of its conversation', () => {
  let made = 0;
  async function steeredUnit(steering: ToolShareSteering, label: boolean): Promise<UnitOfWork> {
    fixture ??= createPipelineFixture({ users: 4, turns: { min: 1, max: 1 } });
    const pipeline = fixture;
    const run = steerToolShare(steering, async (conversationContext, plan) => {
      const unit = await pipeline.conversations.run(conversationContext, plan === undefined ? undefined : { target: steering.target, plan });
      return { ...unit, conversation: { ...unit.conversation, label } };
    });
    return run(context(`settled-${++made}`, createEmulatorRequester(emulator())));
  }

  it('committed with a true label it counts, by whether it called a tool; invalid, rolled back or failed it does not', async () => {
    const steering = new ToolShareSteering(1);
    const valid = await steeredUnit(steering, true);
    valid.commit();
    valid.commit();
    expect(steering.tally).toMatchObject({ saved: 1, withTools: 1, adherence: { tools: { planned: 1, used: 1 } } });
    const invalid = await steeredUnit(steering, false);
    invalid.commit();
    const rolledBack = await steeredUnit(steering, true);
    rolledBack.rollback();
    expect(steering.tally).toMatchObject({ saved: 1, withTools: 1 });
    // Nothing is left in flight: a target of 1 with one saved still plans tools for the next.
    expect(steering.assign()).toBe('tools');

    const failing = steerToolShare(steering, async () => {
      throw new Error('the provider went away');
    });
    const before = new ToolShareSteering(1, steering.tally);
    await expect(failing(context('failed', createEmulatorRequester(emulator())))).rejects.toThrow('the provider went away');
    expect(steering.tally).toEqual(before.tally);
  });
});

describe('the tally a resumed run starts from is read from the output', () => {
  const line = (id: string, calls: number, plan?: ToolPlan) =>
    JSON.stringify({ id, conversations: [], metadata: { toolCalls: Array.from({ length: calls }, () => ({ name: 'add_memory' })), ...(plan ? { toolShare: { target: 0.5, plan } } : {}) } });

  it('counts lines with and without calls, each plan and how it went, and leaves out a line it cannot read', async () => {
    const directory = makeTempDir();
    directories.push(directory);
    const output = path.join(directory.path, 'conversations.jsonl');
    const lines = [line('a', 2), line('b', 0), line('c', 1, 'tools'), line('d', 0, 'tools'), line('e', 1, 'no-tools'), line('f', 0, 'no-tools'), line('g', 0, 'no-tools'), '{"id":"h", not json'];
    writeFileSync(output, `${lines.join('\n')}\n`);
    expect(await tallyOutput(output)).toEqual({
      saved: 7,
      withTools: 3,
      unreadable: 1,
      adherence: { tools: { planned: 2, used: 1 }, 'no-tools': { planned: 3, used: 1 } },
    });
    expect(await tallyOutput(path.join(directory.path, 'absent.jsonl'))).toMatchObject({ saved: 0, withTools: 0 });
  });

  it('counts the conversations the store counts: a line repeating an earlier id once, a line without an id not at all', async () => {
    const directory = makeTempDir();
    directories.push(directory);
    const output = path.join(directory.path, 'conversations.jsonl');
    const withoutId = JSON.stringify({ conversations: [], metadata: { toolCalls: [{ name: 'add_memory' }], toolShare: { target: 0.5, plan: 'tools' } } });
    const lines = [line('a', 1, 'tools'), line('b', 0, 'no-tools'), line('a', 1, 'tools'), withoutId, line('c', 0, 'no-tools')];
    writeFileSync(output, `${lines.join('\n')}\n`);
    const { store } = await ConversationStore.open(output);
    const saved = store.count;
    await store.close();
    const tally = await tallyOutput(output);
    expect(tally.saved).toBe(saved);
    expect(tally).toEqual({ saved: 3, withTools: 1, unreadable: 1, adherence: { tools: { planned: 1, used: 1 }, 'no-tools': { planned: 2, used: 0 } } });
  });
});

describe('a target the model keeps out of reach is said so when the run stops', () => {
  const steering = (target: number, tools: [number, number], noTools: [number, number]) =>
    new ToolShareSteering(target, {
      saved: tools[0] + noTools[0],
      withTools: tools[1] + noTools[1],
      adherence: { tools: { planned: tools[0], used: tools[1] }, 'no-tools': { planned: noTools[0], used: noTools[1] } },
    });

  it('Ada calling tools in more no-tools conversations than the target allows, or skipping them in tools ones, is named with the figures', () => {
    expect(outOfReach(steering(0.1, [4, 4], [30, 12]))).toBe(
      'the target 10.0 % is out of reach of this model: 12 of 30 conversations planned without tools used them anyway (40.0 %); the plans are "no tools" and the share stays above the target',
    );
    expect(outOfReach(steering(0.9, [25, 10], [2, 0]))).toMatch(/^the target 90\.0 % is out of reach of this model: only 10 of 25 conversations planned with tools used them \(40\.0 %\)/);
  });

  it('within reach, or with too few conversations of a plan to tell, nothing is said', () => {
    expect(outOfReach(steering(0.3, [30, 29], [70, 6]))).toBeUndefined();
    expect(outOfReach(steering(0.1, [2, 2], [10, 9]))).toBeUndefined();
  });
});
