import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConversationDiscarded, type ChatResult, type ModelRequester, type RoleRequest } from '../../../src/core/types.js';
import { createPipelineFixture, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const REASONING = ['Greet her back.', 'She asked about soup.', 'Wrap up kindly.'];

/** The reasoning a rewrite request is about: the `<think>` its material opens with. */
function reasoningOf(request: RoleRequest): string {
  const material = request.messages.at(-1)?.content ?? '';
  return /^<think>\n([\s\S]*?)\n<\/think>/.exec(material)?.[1] ?? '';
}

/**
 * A scripted conversation of three turns whose rewrites take longer the earlier their message
 * (so they come back in reverse order), counting how many are out at once.
 */
function slowRewrites(rewrite: (reasoning: string) => string) {
  const inner = createScriptedRequester({
    tester: () => 'tell me something about soup',
    assistant: (_request, count) => `<think>${REASONING[count - 1]}</think>\nReply number ${count}.`,
    rewriter: (request) => rewrite(reasoningOf(request)),
  });
  const rewriters = { out: 0, most: 0, outWhenDone: -1 };
  const asked: string[] = [];
  const requester: ModelRequester = {
    switches: [],
    async complete(request): Promise<ChatResult> {
      if (request.role !== 'rewriter') return inner.complete(request);
      asked.push(reasoningOf(request));
      rewriters.out += 1;
      rewriters.most = Math.max(rewriters.most, rewriters.out);
      try {
        await sleep(20 + 40 * (REASONING.length - REASONING.indexOf(reasoningOf(request))));
        return await inner.complete(request);
      } finally {
        rewriters.out -= 1;
      }
    },
  };
  return { requester, rewriters, asked };
}

/** Runs one conversation; `startsLeftNow` is what the runner would say when its rewrites begin. */
function run(requester: ModelRequester, rewriters: { out: number; outWhenDone: number }, startsLeftNow = 0) {
  if (fixture === undefined) throw new Error('no fixture');
  const context = { conversationId: 'rewrites', requester, signal: new AbortController().signal, startsLeft: startsLeftNow, startsLeftNow: () => startsLeftNow };
  return fixture.pipeline.run(context).finally(() => {
    rewriters.outWhenDone = rewriters.out;
  });
}

describe("a conversation's rewrites once the run starts no more conversations", () => {
  it('are all asked at once, and each lands in its own message whatever order they come back in', async () => {
    fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
    const { requester, rewriters } = slowRewrites((reasoning) => `<think>Rewritten: ${reasoning}</think>`);
    const saved = await run(requester, rewriters);
    expect(rewriters.most).toBe(3);
    const assistant = saved.conversations.flatMap((message, index) => (message.role === 'assistant' ? [{ index, content: message.content }] : []));
    expect(assistant.map((message) => message.content)).toEqual(
      REASONING.map((reasoning, turn) => `<think>\nRewritten: ${reasoning}\n</think>\n\nReply number ${turn + 1}.`),
    );
    const rewrite = saved.metadata.rewrite as { messages: { messageIndex: number }[] };
    expect(rewrite.messages.map((message) => message.messageIndex)).toEqual(assistant.map((message) => message.index));
  });

  it('one that fails twice discards the conversation, naming its step, once every other has come back', async () => {
    fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
    // The middle message's rewrite returns nothing; the first one's is the slowest to come back.
    const { requester, rewriters } = slowRewrites((reasoning) => (reasoning === REASONING[1] ? '' : `<think>Rewritten: ${reasoning}</think>`));
    const discard = await run(requester, rewriters).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(discard).toBeInstanceOf(ConversationDiscarded);
    expect(discard).toMatchObject({ reason: 'rewrite_failed', provenance: { failedStep: 'rewrite of message 4' } });
    expect(rewriters.outWhenDone).toBe(0);
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('while conversations are still to start, go one at a time and stop at the first that fails', async () => {
    fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
    const { requester, rewriters } = slowRewrites((reasoning) => `<think>Rewritten: ${reasoning}</think>`);
    const saved = await run(requester, rewriters, 5);
    expect(rewriters.most).toBe(1);
    expect(saved.conversations.filter((message) => message.role === 'assistant').map((message) => message.content)).toEqual(
      REASONING.map((reasoning, turn) => `<think>\nRewritten: ${reasoning}\n</think>\n\nReply number ${turn + 1}.`),
    );

    fixture.close();
    fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
    const failing = slowRewrites((reasoning) => (reasoning === REASONING[1] ? '' : `<think>Rewritten: ${reasoning}</think>`));
    const discard = await run(failing.requester, failing.rewriters, 5).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(discard).toMatchObject({ reason: 'rewrite_failed', provenance: { failedStep: 'rewrite of message 4' } });
    // The first, then the second and its retry; the third is never asked.
    expect(failing.rewriters.most).toBe(1);
    expect(failing.asked).toEqual([REASONING[0], REASONING[1], REASONING[1]]);
  });
});
