import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INJECTED_KINDS, startEmulator, type Emulator, type ToolCallFormat } from '../../src/emulator/index.js';
import { parseToolCalls } from '../../src/format/index.js';
import { postChat, replyContent, type WireMessageLike } from './chat-helpers.js';

const ADA_SYSTEM = { role: 'system', content: 'You are Ada. To use a tool, write <tool_call>{"name": ..., "arguments": ...}</tool_call>.' };
const PEANUTS = { role: 'user', content: "hey Ada, I'm allergic to peanuts. Please remember that for me." };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 21 });
});
afterAll(async () => {
  await emulator.close();
});

async function ask(messages: readonly WireMessageLike[], model = 'qwen', extra: Record<string, unknown> = {}) {
  const reply = await postChat(emulator, 'together', { model, messages, ...extra });
  expect(reply.status).toBe(200);
  return { content: replyContent(reply), body: JSON.parse(reply.text) };
}

const EXPECTED_FORMS: Readonly<Record<ToolCallFormat, string>> = {
  hermes: '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["The user is allergic to peanuts"]}}</tool_call>',
  python: '<tool_call>add_memory(input_text=["The user is allergic to peanuts"])</tool_call>',
  // A recall may come first in the list, so only the call itself is fixed.
  mistral: '{"name": "add_memory", "arguments": {"input_text": ["The user is allergic to peanuts"]}}]',
  plain: 'tool_call: add_memory\narguments: {"input_text": ["The user is allergic to peanuts"]}',
};

describe('the scripted assistant', () => {
  for (const format of Object.keys(EXPECTED_FORMS) as ToolCallFormat[]) {
    it(`writes ${format} tool calls when asked, after its reasoning, and the tools parser reads them`, async () => {
      emulator.configure('together', { toolCallFormat: format, toolCallRate: 1 });
      const { content } = await ask([ADA_SYSTEM, PEANUTS]);
      expect(content).toMatch(/^<think>[^<]+<\/think>\n\S/);
      expect(content).toContain(EXPECTED_FORMS[format]);
      if (format === 'mistral') expect(content).toContain('\n[TOOL_CALLS] [{"name": ');
      const parsed = parseToolCalls(content);
      expect(parsed.errors).toEqual([]);
      expect(parsed.calls.map((call) => [call.name, call.format])).toContainEqual(['add_memory', format]);
    });
  }

  it('mixed picks every format across conversations, always parseable', async () => {
    emulator.configure('together', { toolCallRate: 1 });
    const formats = new Set<string>();
    for (let index = 0; index < 40; index++) {
      const { content } = await ask([ADA_SYSTEM, { role: 'user', content: `I have ${index} plants on my balcony.` }]);
      const parsed = parseToolCalls(content);
      expect(parsed.errors).toEqual([]);
      for (const call of parsed.calls) formats.add(call.format);
    }
    expect([...formats].sort()).toEqual(['hermes', 'mistral', 'plain', 'python']);
  });

  it('picks the tool the user asks for: recall, diary, and deleting memory 1', async () => {
    emulator.configure('together', { toolCallFormat: 'hermes', toolCallRate: 1 });
    const names = async (content: string) =>
      parseToolCalls((await ask([ADA_SYSTEM, { role: 'user', content }])).content).calls.map((call) => call.name);
    expect(await names('What did I tell you about my dog before?')).toEqual(['recall_memories']);
    expect(await names('Today was great. Can you write that down in my diary?')).toEqual(['add_diary']);
    expect(await names('What did I write in my diary last time?')).toEqual(['recall_diary']);
    const forget = await ask([ADA_SYSTEM, { role: 'user', content: "Forget the first thing I told you, it's not true anymore." }]);
    const deletion = parseToolCalls(forget.content).calls.find((call) => call.name === 'delete_memory');
    expect(deletion?.arguments).toEqual({ indices: [1] });
  });

  it('answers without tools when the rate is 0', async () => {
    emulator.configure('together', { toolCallRate: 0 });
    const { content } = await ask([ADA_SYSTEM, PEANUTS]);
    expect(content).toMatch(/^<think>[^<]+<\/think>\n[^<]+$/);
    expect(parseToolCalls(content).calls).toEqual([]);
  });

  it('continues after a <tool_response> with reasoning about the result and no new call', async () => {
    emulator.configure('together', { toolCallRate: 1 });
    const first = await ask([ADA_SYSTEM, PEANUTS]);
    const { content } = await ask([
      ADA_SYSTEM,
      PEANUTS,
      { role: 'assistant', content: first.content },
      { role: 'user', content: '<tool_response>\nMemory saved: The user is allergic to peanuts\n</tool_response>' },
    ]);
    expect(content).toMatch(/^<think>[^<]*Memory saved: The user is allergic to peanuts[^<]*<\/think>\n\S/);
    expect(parseToolCalls(content).calls).toEqual([]);
  });

  it('replies deterministically: same seed and request, same text; another seed, other text', async () => {
    emulator.configure('together', {});
    const messages = [ADA_SYSTEM, { role: 'user', content: 'I want to read more books this year. Any ideas?' }];
    const first = await ask(messages);
    const second = await ask(messages);
    expect(second.content).toBe(first.content);
    const other = await startEmulator({ seed: 22 });
    try {
      const contents = new Set<string>();
      for (const model of ['a', 'b', 'c']) {
        contents.add(replyContent(await postChat(other, 'together', { model, messages })));
      }
      contents.add(first.content);
      expect(contents.size).toBeGreaterThan(1);
    } finally {
      await other.close();
    }
  });

  it('cuts a reply at max_tokens with finish_reason "length" and stops at a stop sequence', async () => {
    emulator.configure('together', { toolCallRate: 1, toolCallFormat: 'hermes' });
    const cut = await ask([ADA_SYSTEM, PEANUTS], 'qwen', { max_tokens: 5 });
    expect(cut.content.length).toBeLessThanOrEqual(20);
    expect(cut.body.choices[0].finish_reason).toBe('length');
    expect(cut.body.usage.completion_tokens).toBeLessThanOrEqual(5);
    const stopped = await ask([ADA_SYSTEM, PEANUTS], 'qwen', { stop: ['<tool_call>'] });
    expect(stopped.content).not.toContain('<tool_call>');
    expect(stopped.body.choices[0].finish_reason).toBe('stop');
  });
});

describe('the scripted tester and rewriter', () => {
  it('the tester opens on many different subjects across conversations', async () => {
    const openings = new Set<string>();
    for (let index = 0; index < 120; index++) {
      const reply = await postChat(emulator, 'mistral', {
        model: 'ministral-tester',
        messages: [{ role: 'system', content: `You are simulated user number ${index}.` }, { role: 'user', content: 'Start the conversation.' }],
      });
      openings.add(replyContent(reply));
    }
    expect(openings.size).toBeGreaterThan(100);
  });

  it('the tester opens on the topic its system prompt names', async () => {
    const reply = await postChat(emulator, 'mistral', {
      model: 'ministral-tester',
      messages: [{ role: 'system', content: 'Topic: your sourdough bread.' }, { role: 'user', content: 'Begin.' }],
    });
    expect(replyContent(reply)).toMatch(/sourdough|starter|kitchen/i);
  });

  it('a tester follow-up picks up a word from the last message it got', async () => {
    let pickedUp = 0;
    for (let index = 0; index < 20; index++) {
      const reply = await postChat(emulator, 'mistral', {
        model: 'ministral-tester',
        messages: [
          { role: 'user', content: 'Begin.' },
          { role: 'assistant', content: `I bought a guitar, number ${index}.` },
          { role: 'user', content: '<think>hm</think>\nTry fingerpicking exercises with a metronome every evening.' },
        ],
      });
      if (/fingerpicking|exercises|metronome|evening/i.test(replyContent(reply))) pickedUp++;
    }
    expect(pickedUp).toBeGreaterThan(12);
  });

  it('roles come from the system prompt when the model name does not say', async () => {
    emulator.resetCounters();
    await postChat(emulator, 'huggingface', { model: 'm', messages: [ADA_SYSTEM, PEANUTS] });
    await postChat(emulator, 'huggingface', { model: 'm', messages: [{ role: 'system', content: 'Rewrite the reasoning.' }, PEANUTS] });
    await postChat(emulator, 'huggingface', { model: 'm', messages: [{ role: 'system', content: 'Play a person.' }, PEANUTS] });
    await postChat(emulator, 'huggingface', { model: 'x-rewriter', messages: [ADA_SYSTEM, PEANUTS] });
    expect(emulator.counters().huggingface.byRole).toEqual({ tester: 1, assistant: 1, rewriter: 2 });
  });

  it('the rewriter returns new reasoning in <think> tags, clearly different from the original', async () => {
    const original = 'user wants peanut stuff remembered. save it. say ok.';
    const reply = await postChat(emulator, 'openai_compatible', {
      model: 'rewriter',
      messages: [
        { role: 'system', content: 'Rewrite the reasoning so it is clear.' },
        { role: 'user', content: `Original reasoning:\n<think>${original}</think>\nReply: Noted!` },
      ],
    });
    const content = replyContent(reply);
    expect(content).toMatch(/^<think>[\s\S]+<\/think>$/);
    expect(content).not.toContain(original);
    expect(content.length).toBeGreaterThan(original.length);
    expect(content).toMatch(/peanut|remembered/);
  });
});

describe('counters', () => {
  it('add up: every request is exactly one outcome, and roles and tokens follow the answers', async () => {
    const running = await startEmulator({
      seed: 4,
      // One token every 100 s: exactly the burst gets through.
      defaults: { faults: { rate500: 0.2, rate429: 0.1, rateEmptyReply: 0.2 }, requestsPerSecond: 0.01, burst: 26 },
    });
    try {
      await postChat(running, 'together', { model: 'x', messages: [] });
      await postChat(running, 'together', { model: 'x', messages: [PEANUTS] }, { key: null });
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          postChat(running, 'together', { model: index % 2 === 0 ? 'tester' : 'assistant', messages: [PEANUTS] }),
        ),
      );
      const served = (await (await fetch(`${running.url}/_emulator/counters`)).json()) as ReturnType<Emulator['counters']>;
      const counters = served.together;
      const injectedTransport = counters.injected['429'] + counters.injected['500'];
      expect(counters.requests).toBe(42);
      expect(counters.ok + counters.rateLimited + injectedTransport + counters.badRequests + counters.authFailures).toBe(42);
      expect(counters.rateLimited).toBe(15);
      expect(counters.badRequests).toBe(1);
      expect(counters.authFailures).toBe(1);
      expect((counters.byRole.tester ?? 0) + (counters.byRole.assistant ?? 0)).toBe(25);
      expect(counters.ok).toBe(replies.filter((reply) => reply.status === 200).length);
      expect(Object.keys(counters.injected).sort()).toEqual([...INJECTED_KINDS].sort());
      const outputTokens = replies
        .filter((reply) => reply.status === 200)
        .reduce((sum, reply) => sum + JSON.parse(reply.text).usage.completion_tokens, 0);
      expect(counters.tokens.output).toBe(outputTokens);
      expect(counters.tokens.input).toBe(counters.ok * Math.ceil(PEANUTS.content.length / 4));
    } finally {
      await running.close();
    }
  });
});
