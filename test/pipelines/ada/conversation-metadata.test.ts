import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderSwitch } from '../../../src/core/types.js';
import { ADA_TOOL_SCHEMAS, TOOL_NAMES } from '../../../src/tools/index.js';
import { createPipelineFixture, type PipelineFixture } from './conversation-fixture.js';
import { createScriptedRequester, echoRewriter } from './scripted-requester.js';

let fixture: PipelineFixture | undefined;
afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

describe('the saved metadata', () => {
  it('timings come from the injected clock, switches from the requester, usage sums every request', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const switches: ProviderSwitch[] = [{ from: 'mistral', to: 'together', reason: 'cooling_down', at: '2026-01-01T00:00:01.000Z' }];
    const requester = {
      ...createScriptedRequester({
        tester: () => 'hi, my name is Sam',
        assistant: (_request, count) =>
          count === 1
            ? '<think>Save the name.</think>\nNice to meet you!\n<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Name is Sam"]}}</tool_call>'
            : '<think>Saved.</think>\nGot it, Sam.',
        rewriter: echoRewriter,
      }),
      switches,
    };
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const saved = await fixture.pipeline.run({
      conversationId: 'with-clock',
      requester,
      signal: new AbortController().signal,
      now: () => (clock += 1500),
    });
    const { metadata } = saved;
    expect(metadata.timings).toEqual({
      startedAt: '2026-01-01T00:00:01.500Z',
      finishedAt: '2026-01-01T00:00:03.000Z',
      durationMs: 1500,
    });
    expect(metadata.createdAt).toBe('2026-01-01T00:00:03.000Z');
    expect(metadata.providerSwitches).toEqual(switches);
    expect(metadata.providers).toEqual(['mistral']);
    // 1 tester + 2 assistant + 2 rewriter requests at 10 in / 5 out each.
    expect(metadata.usage).toEqual({ inputTokens: 50, outputTokens: 25 });
    expect(metadata.requests).toEqual({ tester: 1, assistant: 2, rewriter: 2 });
    expect(metadata.rewrite).toEqual({
      enabled: true,
      messages: [
        { messageIndex: 2, blocks: 1, provider: 'mistral', model: 'scripted-rewriter' },
        { messageIndex: 4, blocks: 1, provider: 'mistral', model: 'scripted-rewriter' },
      ],
    });
    expect(Object.keys(metadata).slice(0, 13)).toEqual([
      'pipeline',
      'pipelineVersion',
      'dryRun',
      'createdAt',
      'simulatedUser',
      'topic',
      'providers',
      'messages',
      'toolCalls',
      'usage',
      'timings',
      'providerSwitches',
      'turns',
    ]);
    // The tools Ada was offered, as JSON Schema, so exports declare them without knowing the pipeline.
    expect(metadata.tools).toEqual(ADA_TOOL_SCHEMAS);
    expect((metadata.tools as { function: { name: string } }[]).map((tool) => tool.function.name)).toEqual([...TOOL_NAMES]);
    const user = fixture.users[0];
    expect(metadata.simulatedUser).toEqual({ ...user, interests: [...(user?.interests ?? [])] });
    expect(typeof metadata.topic).toBe('string');
  });

  it('the rewriter sees the original reasoning, what Ada answered, and the reply it must lead to', async () => {
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const requester = createScriptedRequester({
      tester: () => 'my cat scratches the sofa',
      assistant: (_request, count) =>
        count === 1
          ? '<think>Check memories first.</think>\nLet me look.\n<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>'
          : '<think>Nothing saved.</think>\nTry a scratching post.',
      rewriter: echoRewriter,
    });
    await fixture.pipeline.run({ conversationId: 'material', requester, signal: new AbortController().signal });
    const [first, second] = requester.requests.filter((request) => request.role === 'rewriter');
    expect(first?.messages[0]?.role).toBe('system');
    expect(first?.messages[1]?.content).toBe(
      '<think>\nCheck memories first.\n</think>\n\n' +
        "The user's message:\n<message>\nmy cat scratches the sofa\n</message>\n\n" +
        'The reply this reasoning led to (the rewritten reasoning must lead to exactly this):\n<reply>\nLet me look.\n<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>\n</reply>',
    );
    expect(second?.messages[1]?.content).toMatch(
      /^<think>\nNothing saved\.\n<\/think>\n\nThe tool results the assistant had just received:\n<tool_response>\n.+\n<\/tool_response>\n\n/,
    );
  });
});
