import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { parseToolCalls } from '../../src/format/index.js';
import { MEMORY_TOPICS, TOOL_PLAN_INSTRUCTIONS, TOPICS, type ToolPlan } from '../../src/pipelines/ada/conversation-topics.js';
import { fillPlaceholders } from '../../src/pipelines/ada/prompt-template.js';
import { shapeAssistantRequest, shapeTesterRequest } from '../../src/pipelines/ada/shape-messages.js';
import { PROMPTS } from '../pipelines/ada/conversation-fixture.js';
import { postChat, replyContent } from './chat-helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 13 });
  // Ada calls a tool when asked outright and (almost) never otherwise.
  emulator.configure('together', { toolCallRate: 1e-9, toolCallFormat: 'hermes' });
});
afterAll(async () => {
  await emulator.close();
});

const PERSONA = { name: 'Maya K.', age: '34', situation: 'a nurse working night shifts', interests: 'running, jazz', style: 'short lowercase messages' };
const testerPrompt = (topic: string, person: number) => fillPlaceholders(PROMPTS.tester, { ...PERSONA, name: `Person ${person}`, topic });

async function say(model: string, messages: readonly WireMessage[]): Promise<string> {
  const reply = await postChat(emulator, 'together', { model, messages });
  expect(reply.status).toBe(200);
  return replyContent(reply);
}

/** The tester's opening and one follow-up, each answered by Ada, shaped as the pipeline shapes them: how many of her answers call a tool. */
async function exchange(topic: string, person: number): Promise<{ texts: string[]; callingReplies: number }> {
  const prompt = testerPrompt(topic, person);
  const saved: { role: 'system' | 'user' | 'assistant'; content: string }[] = [{ role: 'system', content: PROMPTS.ada }];
  const texts: string[] = [];
  let callingReplies = 0;
  for (let turn = 0; turn < 2; turn++) {
    const userText = await say('emulator-tester', shapeTesterRequest(prompt, saved));
    texts.push(userText);
    saved.push({ role: 'user', content: userText });
    const reply = await say('emulator-assistant', shapeAssistantRequest(saved));
    if (parseToolCalls(reply).calls.length > 0) callingReplies++;
    // Only the words of her reply go on: a call is not run here, so the next turn reads as after a plain answer.
    saved.push({ role: 'assistant', content: reply.replace(/<tool_call>[\s\S]*?<\/tool_call>/g, '').trim() });
  }
  return { texts, callingReplies };
}

/** The scripted model answers the same request the same way: each conversation has its own topic and person. */
const EVERYDAY_TOPICS = TOPICS.filter((topic) => !MEMORY_TOPICS.includes(topic));
const topicNumber = (index: number): string => EVERYDAY_TOPICS[index % EVERYDAY_TOPICS.length] as string;

describe("the scripted tester follows a plan's instruction, as a model would", () => {
  const cases: readonly [ToolPlan, string][] = [
    ['tools', 'opens by asking Ada to remember, recall or write in her diary, and Ada calls a tool'],
    ['no-tools', 'never asks for memory or the diary, so Ada (who calls tools only when asked) never does'],
  ];
  for (const [plan, behaviour] of cases) {
    it(`planned "${plan}": ${behaviour}`, async () => {
      for (let index = 0; index < 25; index++) {
        const { texts, callingReplies } = await exchange(`${topicNumber(index)} ${TOOL_PLAN_INSTRUCTIONS[plan]}`, index);
        if (plan === 'tools') expect(callingReplies, texts.join(' | ')).toBeGreaterThan(0);
        else expect(callingReplies, texts.join(' | ')).toBe(0);
      }
    });
  }

  it('without an instruction, some openings or follow-ups still ask for memory (today\'s mix), so the plans are what moves the share', async () => {
    let calling = 0;
    for (let index = 0; index < 25; index++) calling += (await exchange(topicNumber(index), index)).callingReplies > 0 ? 1 : 0;
    expect(calling).toBeGreaterThan(0);
    expect(calling).toBeLessThan(25);
  });
});
