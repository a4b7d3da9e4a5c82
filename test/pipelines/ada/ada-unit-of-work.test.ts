import { afterEach, describe, expect, it } from 'vitest';
import { ConversationDiscarded } from '../../../src/core/types.js';
import type { UnitOfWork } from '../../../src/pipelines/contract.js';
import { createPipelineFixture, rowsTouchedBy, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function noteTaker() {
  return createScriptedRequester({
    tester: () => 'my sister visits next week and she is vegetarian',
    assistant: (_request, count) =>
      count === 1
        ? '<think>Save it.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}</tool_call>'
        : '<think>Saved.</think>\nI will remember that.',
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

/** Lets pending promise callbacks run (a waiting lease is served in one). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function start(conversationId: string, requester = politeRequester()): Promise<UnitOfWork> {
  if (fixture === undefined) throw new Error('no fixture');
  return fixture.conversations.run({ conversationId, requester, signal: new AbortController().signal });
}

describe("Ada's unit of work: the runner settles it, the user stays leased until then", () => {
  it('after run returns the user is still leased; the same user’s next conversation waits until the first is committed', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 0, users: 1 });
    const [user] = fixture.users;
    const first = await start('first');
    expect(first.conversation.id).toBe('first');
    await flush();
    expect(fixture.pool.isLeased(user!.id)).toBe(true);

    let secondDone = false;
    const second = start('second').then((unit) => {
      secondDone = true;
      return unit;
    });
    await flush();
    expect(fixture.pool.waitingCount).toBe(1);
    expect(secondDone).toBe(false);

    first.commit();
    const unit = await second;
    expect(unit.conversation.id).toBe('second');
    unit.commit();
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('commit keeps the tool rows and closes the conversation, so a restart never rolls them back', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 1 });
    const unit = await start('kept', noteTaker());
    expect(unit.toolCalls).toEqual([{ name: 'add_memory', ok: true }]);
    unit.commit();
    expect(fixture.pool.leasedCount).toBe(0);
    expect(fixture.store.recoverOpenConversations(() => false)).toEqual({ rolledBack: 0, confirmed: 0, rows: 0 });
    expect(rowsTouchedBy(fixture.databasePath, 'kept')).toHaveLength(1);
  });

  it('rollback (the line was not written) undoes the rows and frees the user; a second settle does nothing', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 1 });
    const unit = await start('lost', noteTaker());
    expect(rowsTouchedBy(fixture.databasePath, 'lost')).toHaveLength(1);
    unit.rollback();
    expect(rowsTouchedBy(fixture.databasePath, 'lost')).toEqual([]);
    expect(fixture.store.counts()).toEqual({ memories: 0, diary: 0 });
    expect(fixture.pool.leasedCount).toBe(0);
    unit.commit();
    expect(rowsTouchedBy(fixture.databasePath, 'lost')).toEqual([]);
  });

  it('a discarded conversation gives the runner nothing to settle: its rows are already rolled back and its user free', async () => {
    // One tool round allowed, and Ada keeps calling: discarded as invalid_output after a write.
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 }, maxToolRounds: 1 });
    const runaway = createScriptedRequester({
      tester: () => 'remember my sister',
      assistant: () => '<think>Save it.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister"]}}</tool_call>',
      rewriter: echoRewriter,
    });
    const failure = await start('runaway', runaway).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConversationDiscarded);
    expect((failure as ConversationDiscarded).reason).toBe('invalid_output');
    expect(fixture.store.counts()).toEqual({ memories: 0, diary: 0 });
    expect(fixture.pool.leasedCount).toBe(0);
  });
});
