import { afterEach, describe, expect, it } from 'vitest';
import { ConversationDiscarded } from '../../src/core/types.js';
import { type SavedConversation } from '../../src/format/index.js';
import { createPipelineFixture, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

/** A promise the test settles by hand, as the runner does once the line is fsynced or discarded. */
function controlledSettle(): { promise: Promise<void>; resolve: () => void; reject: (reason: unknown) => void } {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

function requester() {
  return createScriptedRequester({
    tester: () => 'my sister visits next week and she is vegetarian',
    assistant: () =>
      '<think>Save it.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}</tool_call>',
    rewriter: echoRewriter,
  });
}

function politeRequester() {
  return createScriptedRequester({
    tester: () => 'hello there',
    assistant: () => '<think>Greet.</think>\nHello!',
    rewriter: echoRewriter,
  });
}

/** Lets pending promise callbacks run (the lease is released in one). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('the simulated user stays leased until the runner has settled the conversation', () => {
  it('after run returns the user is still leased; the same user’s next conversation waits until settled resolves', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 0, users: 1 });
    const [user] = fixture.users;
    const settle = controlledSettle();
    const first = await fixture.pipeline.run({
      conversationId: 'first',
      requester: politeRequester(),
      signal: new AbortController().signal,
      settled: settle.promise,
    });
    expect(first.id).toBe('first');
    await flush();
    expect(fixture.pool.isLeased(user!.id)).toBe(true);

    let secondDone = false;
    const second = fixture.pipeline
      .run({ conversationId: 'second', requester: politeRequester(), signal: new AbortController().signal })
      .then((saved: SavedConversation) => {
        secondDone = true;
        return saved;
      });
    await flush();
    expect(fixture.pool.waitingCount).toBe(1);
    expect(secondDone).toBe(false);

    settle.resolve();
    const saved = await second;
    expect(saved.id).toBe('second');
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('a settled promise that rejects releases the user too, with no unhandled rejection', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 0 });
    const settle = controlledSettle();
    await fixture.pipeline.run({
      conversationId: 'append-failed',
      requester: politeRequester(),
      signal: new AbortController().signal,
      settled: settle.promise,
    });
    await flush();
    expect(fixture.pool.leasedCount).toBe(1);
    settle.reject(new Error('disk full'));
    await flush();
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('a discarded conversation holds its user until settled as well, its rows already rolled back', async () => {
    // One tool round allowed, and Ada keeps calling: discarded as invalid_output after a write.
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 1 });
    const settle = controlledSettle();
    const failure = await fixture.pipeline
      .run({ conversationId: 'runaway', requester: requester(), signal: new AbortController().signal, settled: settle.promise })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(ConversationDiscarded);
    expect(fixture.store.counts()).toEqual({ memories: 0, diary: 0 });
    await flush();
    expect(fixture.pool.leasedCount).toBe(1);
    settle.resolve();
    await flush();
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('without settled the user is released as soon as run returns', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 0 });
    await fixture.pipeline.run({ conversationId: 'plain', requester: politeRequester(), signal: new AbortController().signal });
    expect(fixture.pool.leasedCount).toBe(0);
  });
});
