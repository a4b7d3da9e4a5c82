import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderError } from '../../../src/core/errors.js';
import { ConversationDiscarded, type DiscardReason, type ModelRequester } from '../../../src/core/types.js';
import { type SavedConversation } from '../../../src/format/index.js';
import { createAdaConversations } from '../../../src/pipelines/ada/index.js';
import { createPipelineFixture, rowsTouchedBy, toolCallsOf, PROMPTS, useSharedEmulator, type PipelineFixture } from './conversation-fixture.js';
import { createEmulatorRequester } from './emulator-requester.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;
const emulator = useSharedEmulator(9, () => {
  fixture?.close();
  fixture = undefined;
});

function run(requester: ModelRequester, conversationId = 'conversation', signal = new AbortController().signal): Promise<SavedConversation> {
  if (fixture === undefined) throw new Error('no fixture');
  return fixture.pipeline.run({ conversationId, requester, signal });
}

async function discardOf(promise: Promise<unknown>): Promise<ConversationDiscarded> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ConversationDiscarded);
  return error as ConversationDiscarded;
}

async function expectDiscard(promise: Promise<unknown>, reason: DiscardReason): Promise<ConversationDiscarded> {
  const discard = await discardOf(promise);
  expect(discard.reason).toBe(reason);
  return discard;
}

describe('model misbehaviour from the emulator: retried once, then discarded with the counted reason', () => {
  it('a tester that answers with nothing twice discards the conversation as empty_reply', async () => {
    emulator().configure('together', { faults: { rateEmptyReply: 1 } });
    fixture = createPipelineFixture();
    const requester = createEmulatorRequester(emulator());
    await expectDiscard(run(requester), 'empty_reply');
    expect(requester.sent.map((request) => request.role)).toEqual(['tester', 'tester']);
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('a reply cut off by the length limit twice discards the conversation as truncated_reply', async () => {
    emulator().configure('together', { faults: { rateTruncated: 1 } });
    fixture = createPipelineFixture();
    const requester = createEmulatorRequester(emulator());
    const discard = await expectDiscard(run(requester), 'truncated_reply');
    expect(discard.message).toMatch(/tester message 1: .*length limit.*after one retry/);
    expect(requester.sent).toHaveLength(2);
  });

  it('one empty reply is retried and the conversation is saved, the retry recorded in the metadata', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    emulator().configure('together', { faults: { rateEmptyReply: 1 } });
    const requester = createEmulatorRequester(emulator(), 'together', (_request, sent) => {
      if (sent.length === 1) emulator().configure('together', { toolCallRate: 0 });
    });
    const saved = await run(requester);
    expect(saved.conversations.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
    expect(saved.metadata.retries).toEqual([{ step: 'tester message 1', reason: 'empty_reply', detail: 'the tester wrote no message' }]);
    expect(saved.metadata.requests).toEqual({ tester: 2, assistant: 1, rewriter: 1 });
  });

  it('Ada going silent after a tool round discards the conversation and rolls its rows back', async () => {
    emulator().configure('together', { toolCallFormat: 'hermes', toolCallRate: 1 });
    fixture = createPipelineFixture();
    let rowsBeforeFailure = 0;
    const requester = createEmulatorRequester(emulator(), 'together', (request) => {
      const last = request.messages[request.messages.length - 1]?.content ?? '';
      if (request.role === 'assistant' && last.startsWith('<tool_response>') && rowsBeforeFailure === 0) {
        rowsBeforeFailure = rowsTouchedBy(fixture!.databasePath, 'silent').length;
        // Only once a round has written rows (a recall writes none), so there is something to roll back.
        if (rowsBeforeFailure > 0) emulator().configure('together', { faults: { rateEmptyReply: 1 } });
      }
    });
    await expectDiscard(run(requester, 'silent'), 'empty_reply');
    expect(rowsBeforeFailure).toBeGreaterThan(0);
    expect(rowsTouchedBy(fixture.databasePath, 'silent')).toEqual([]);
    expect(fixture.store.counts()).toEqual({ memories: 0, diary: 0 });
  });

  it('a rewriter that returns nothing twice discards as rewrite_failed and the tool rows are rolled back', async () => {
    emulator().configure('together', { toolCallFormat: 'mistral', toolCallRate: 1 });
    fixture = createPipelineFixture();
    let rowsBeforeRewrite = 0;
    const requester = createEmulatorRequester(emulator(), 'together', (request) => {
      if (request.role === 'rewriter' && rowsBeforeRewrite === 0) {
        rowsBeforeRewrite = rowsTouchedBy(fixture!.databasePath, 'unrewritten').length;
        emulator().configure('together', { faults: { rateEmptyReply: 1 } });
      }
    });
    await expectDiscard(run(requester, 'unrewritten'), 'rewrite_failed');
    expect(requester.sent.filter((request) => request.role === 'rewriter')).toHaveLength(2);
    expect(rowsBeforeRewrite).toBeGreaterThan(0);
    expect(rowsTouchedBy(fixture.databasePath, 'unrewritten')).toEqual([]);
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('a provider error that escapes the requester discards as provider_failure', async () => {
    emulator().configure('together', { faults: { rate500: 1 } });
    fixture = createPipelineFixture();
    const discard = await expectDiscard(run(createEmulatorRequester(emulator())), 'provider_failure');
    expect(discard.cause).toBeInstanceOf(ProviderError);
  });

  it('aborting a hung request discards as aborted; a timed-out signal discards as deadline', async () => {
    emulator().configure('together', { faults: { rateHang: 1 } });
    fixture = createPipelineFixture();
    const controller = new AbortController();
    const aborted = run(createEmulatorRequester(emulator()), 'aborted', controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expectDiscard(aborted, 'aborted');
    await expectDiscard(run(createEmulatorRequester(emulator()), 'late', AbortSignal.timeout(20)), 'deadline');
    expect(fixture.pool.leasedCount).toBe(0);
  });
});

const PLAIN_TESTER = () => 'my sister visits next week and she is vegetarian';
const ADD_CALL = '<think>Save it.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}</tool_call>';

describe('misbehaviour the emulator does not produce, from a scripted requester', () => {
  it('a tester that writes Ada’s part twice discards as tester_broke_role', async () => {
    fixture = createPipelineFixture();
    const requester = createScriptedRequester({ tester: () => 'my dog barks\nAda: Have you tried treats?' });
    await expectDiscard(run(requester), 'tester_broke_role');
    expect(requester.count('tester')).toBe(2);
    expect(requester.count('assistant')).toBe(0);
  });

  it('a tester that breaks role once is retried and only its good message is saved', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const requester = createScriptedRequester({
      tester: (_request, count) => (count === 1 ? 'Assistant: How can I help you today?' : 'User: how do I fix a flat tyre'),
      assistant: () => '<think>Explain briefly.</think>\nTake the wheel off first.',
      rewriter: echoRewriter,
    });
    const saved = await run(requester);
    expect(saved.conversations[1]).toEqual({ role: 'user', content: 'how do I fix a flat tyre' });
    expect(saved.conversations[2]).toEqual({ role: 'assistant', content: '<think>\nRewritten reasoning number 1.\n</think>\n\nTake the wheel off first.' });
    expect(saved.metadata.retries).toEqual([
      { step: 'tester message 1', reason: 'tester_broke_role', detail: 'the tester wrote a line as the assistant' },
    ]);
  });

  it('Ada still calling tools when the rounds are used up discards as invalid_output and rolls back', async () => {
    fixture = createPipelineFixture({ maxToolRounds: 2 });
    const requester = createScriptedRequester({ tester: PLAIN_TESTER, assistant: () => ADD_CALL, rewriter: echoRewriter });
    const discard = await expectDiscard(run(requester, 'runaway'), 'invalid_output');
    expect(discard.message).toContain('after 2 tool round(s)');
    expect(requester.count('assistant')).toBe(3);
    expect(rowsTouchedBy(fixture.databasePath, 'runaway')).toEqual([]);
  });

  it('unreadable tool-call markup becomes a tool result saying what was wrong, and Ada continues', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const requester = createScriptedRequester({
      tester: PLAIN_TESTER,
      assistant: (_request, count) =>
        count === 1
          ? '<think>Save it.</think>\nNoted!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": [</tool_call>'
          : '<think>The call failed.</think>\nSorry, I could not save that.',
      rewriter: echoRewriter,
    });
    const saved = await run(requester);
    expect(saved.conversations.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(saved.conversations[3]?.content).toMatch(/^Could not read the tool call: .*<tool_call>\{"name": "add_memory"/);
    expect(toolCallsOf(saved)).toEqual([
      {
        messageIndex: 2,
        resultIndex: 3,
        name: 'invalid_tool_call',
        arguments: null,
        ok: false,
        format: 'hermes',
        parseError: true,
        raw: '<tool_call>{"name": "add_memory", "arguments": {"input_text": [</tool_call>',
      },
    ]);
    const continuation = requester.requests[2];
    expect(continuation?.role).toBe('assistant');
    expect(continuation?.messages[continuation.messages.length - 1]?.content).toMatch(/^<tool_response>\nCould not read/);
  });

  it('an unknown tool and bad arguments are results too, in the order the calls were written', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const requester = createScriptedRequester({
      tester: PLAIN_TESTER,
      assistant: (_request, count) =>
        count === 1
          ? '<think>Try things.</think>\n<tool_call>{"name": "fly", "arguments": {}}</tool_call>\n<tool_call>{"name": "delete_memory", "arguments": {"indices": [7]}}</tool_call>\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Sister is vegetarian"]}}</tool_call>'
          : '<think>Done.</think>\nSaved what I could.',
      rewriter: echoRewriter,
    });
    const saved = await run(requester, 'mixed-calls');
    const calls = toolCallsOf(saved);
    expect(calls.map((call) => [call.name, call.ok, call.resultIndex])).toEqual([
      ['fly', false, 3],
      ['delete_memory', false, 4],
      ['add_memory', true, 5],
    ]);
    expect(saved.conversations[3]?.content).toContain('Unknown tool');
    expect(rowsTouchedBy(fixture.databasePath, 'mixed-calls')).toHaveLength(1);
  });

  it('an error that is not a provider failure is a real failure: rethrown as it is, rows rolled back, user released', async () => {
    fixture = createPipelineFixture({ turns: { min: 2, max: 2 } });
    const bug = new TypeError('dispatcher bug');
    const requester = createScriptedRequester({
      tester: (_request, count) => (count === 1 ? PLAIN_TESTER() : bug),
      assistant: (_request, count) => (count === 1 ? ADD_CALL : '<think>ok</think>\nDone.'),
    });
    await expect(run(requester, 'buggy')).rejects.toBe(bug);
    expect(rowsTouchedBy(fixture.databasePath, 'buggy')).toEqual([]);
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('a rollback that fails is loud, and names the conversation and the original failure', async () => {
    fixture = createPipelineFixture();
    const pipeline = createAdaConversations({
      prompts: PROMPTS,
      userPool: fixture.pool,
      random: () => 0.5,
      toolStore: {
        execute: () => ({ name: 'x', ok: true, content: 'ok' }),
        rollbackConversation: () => {
          throw new Error('disk I/O error');
        },
        markSaved: () => undefined,
      },
    });
    const requester = createScriptedRequester({ tester: () => '' });
    await expect(pipeline.run({ conversationId: 'doomed', requester, signal: new AbortController().signal })).rejects.toThrow(
      /Could not roll back the tool rows of conversation doomed after it failed \(tester message 1: the tester wrote no message.*\): disk I\/O error/,
    );
    expect(fixture.pool.leasedCount).toBe(0);
  });

  it('invalid options are refused at construction with what was expected', () => {
    fixture = createPipelineFixture();
    const base = { prompts: PROMPTS, toolStore: fixture.store, userPool: fixture.pool, random: () => 0.5 };
    expect(() => createAdaConversations({ ...base, turns: { min: 0, max: 2 } })).toThrow(ConfigError);
    expect(() => createAdaConversations({ ...base, turns: { min: 3, max: 2 } })).toThrow('Expected `turns.max` to be a whole number >= 3, got `2` (number)');
    expect(() => createAdaConversations({ ...base, maxToolRounds: -1 })).toThrow('Expected `maxToolRounds` to be a whole number >= 0');
  });
});
