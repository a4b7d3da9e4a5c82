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

/** Ada's reasoning in each of the three turns; the second reply holds two blocks. */
const REASONING = ['Greet her back.', 'She asked about soup.', 'Name a recipe.', 'Wrap up kindly.'];
const REPLIES = [
  `<think>${REASONING[0]}</think>\nReply number 1.`,
  `<think>${REASONING[1]}</think>\nLet me see.\n<think>${REASONING[2]}</think>\nReply number 2.`,
  `<think>${REASONING[3]}</think>\nReply number 3.`,
];

/** The reasoning a rewrite request is about: the `<think>` its material opens with. */
function reasoningOf(request: RoleRequest): string {
  const material = request.messages.at(-1)?.content ?? '';
  return /^<think>\n([\s\S]*?)\n<\/think>/.exec(material)?.[1] ?? '';
}

/**
 * A scripted conversation of three turns whose rewrites take `delayMs` each (the first message's
 * the longest, so they come back out of order), counting how many are out at once and how many
 * were aborted while out.
 */
function scriptedRewrites(rewrite: (reasoning: string) => string, delayMs: (reasoning: string) => number) {
  const inner = createScriptedRequester({
    tester: () => 'tell me something about soup',
    assistant: (_request, count) => REPLIES[count - 1] as string,
    rewriter: (request) => rewrite(reasoningOf(request)),
  });
  const rewriters = { out: 0, most: 0, outWhenDone: -1, aborted: 0, asked: [] as string[] };
  const requester: ModelRequester = {
    switches: [],
    async complete(request): Promise<ChatResult> {
      if (request.role !== 'rewriter') return inner.complete(request);
      rewriters.asked.push(reasoningOf(request));
      rewriters.out += 1;
      rewriters.most = Math.max(rewriters.most, rewriters.out);
      try {
        await sleep(delayMs(reasoningOf(request)), undefined, { signal: request.signal });
        return await inner.complete(request);
      } catch (error) {
        if (request.signal?.aborted === true) rewriters.aborted += 1;
        throw error;
      } finally {
        rewriters.out -= 1;
      }
    },
  };
  return { requester, rewriters };
}

/** Earlier messages' rewrites take longer: 160, 120, 80 and 40 ms. */
const laterFirst = (reasoning: string) => 40 * (REASONING.length - REASONING.indexOf(reasoning));

/**
 * Runs one conversation. `startsLeft` is what the runner said when it began, `startsLeftNow` what
 * it says as the rewrites begin: only the live reading counts.
 */
function run(requester: ModelRequester, rewriters: { out: number; outWhenDone: number }, startsLeft: number, startsLeftNow: number) {
  if (fixture === undefined) throw new Error('no fixture');
  const context = { conversationId: 'rewrites', requester, signal: new AbortController().signal, startsLeft, startsLeftNow: () => startsLeftNow };
  return fixture.pipeline.run(context).finally(() => {
    rewriters.outWhenDone = rewriters.out;
  });
}

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const rewritten = (reasoning: string | undefined) => `<think>Rewritten: ${reasoning}</think>`;
const EXPECTED = [
  `<think>\nRewritten: ${REASONING[0]}\n</think>\n\nReply number 1.`,
  // Saved as the pipeline lays out a reply with two blocks: one blank line after the first.
  `<think>\nRewritten: ${REASONING[1]}\n</think>\n\nLet me see.\n<think>\nRewritten: ${REASONING[2]}\n</think>\nReply number 2.`,
  `<think>\nRewritten: ${REASONING[3]}\n</think>\n\nReply number 3.`,
];

/** One three-turn conversation with scripted rewrites, begun and rewritten at the two counts `run` takes. */
function converse(startsLeft: number, startsLeftNow: number, rewrite = rewritten, delayMs = laterFirst) {
  fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
  const { requester, rewriters } = scriptedRewrites(rewrite, delayMs);
  return { rewriters, outcome: run(requester, rewriters, startsLeft, startsLeftNow) };
}

describe("a conversation's rewrites once the run starts no more conversations", () => {
  it('are all asked at once, and each lands in its own block whatever order they come back in', async () => {
    // Begun while others were still to start; by its rewrites none is.
    const { rewriters, outcome } = converse(5, 0);
    const saved = await outcome;
    expect(rewriters.most).toBe(4);
    const assistant = saved.conversations.flatMap((message, index) => (message.role === 'assistant' ? [{ index, content: message.content }] : []));
    expect(assistant.map((message) => message.content)).toEqual(EXPECTED);
    const rewrite = saved.metadata.rewrite as { messages: { messageIndex: number; blocks: number }[] };
    expect(rewrite.messages.map((message) => [message.messageIndex, message.blocks])).toEqual(assistant.map((message, turn) => [message.index, turn === 1 ? 2 : 1]));
  });

  it('the first to fail for good aborts the others, and the discard comes once every one has settled, naming its step', async () => {
    // The last message's rewrite returns nothing, twice, in 80 ms; the first message's would take 2 s.
    const { rewriters, outcome } = converse(
      0,
      0,
      (reasoning) => (reasoning === REASONING[3] ? '' : rewritten(reasoning)),
      (reasoning) => (reasoning === REASONING[0] ? 2_000 : laterFirst(reasoning)),
    );
    const discard = await failureOf(outcome);
    expect(discard).toBeInstanceOf(ConversationDiscarded);
    expect(discard).toMatchObject({ reason: 'rewrite_failed', provenance: { failedStep: 'rewrite of message 6' } });
    expect(rewriters.aborted).toBeGreaterThanOrEqual(1);
    expect(rewriters.outWhenDone).toBe(0);
    expect(fixture?.pool.leasedCount).toBe(0);
  });
});

describe("a conversation's rewrites while conversations are still to start", () => {
  it('go one at a time, in message order', async () => {
    // Begun as the last start; by its rewrites a replacement is due.
    const { rewriters, outcome } = converse(0, 1);
    const saved = await outcome;
    expect(rewriters.most).toBe(1);
    expect(rewriters.asked).toEqual(REASONING);
    expect(saved.conversations.filter((message) => message.role === 'assistant').map((message) => message.content)).toEqual(EXPECTED);
  });

  it('stop at the first that fails, which names its step', async () => {
    const { rewriters, outcome } = converse(3, 3, (reasoning) => (reasoning === REASONING[1] ? '' : rewritten(reasoning)));
    const discard = await failureOf(outcome);
    expect(discard).toMatchObject({ reason: 'rewrite_failed', provenance: { failedStep: 'rewrite of message 4' } });
    // The first, then the second and its retry; the rest are never asked.
    expect(rewriters.asked).toEqual([REASONING[0], REASONING[1], REASONING[1]]);
    expect(rewriters.most).toBe(1);
  });
});
