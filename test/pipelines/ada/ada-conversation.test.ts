import { describe, expect, it } from 'vitest';
import type { SavedConversation } from '../../../src/format/index.js';
import type { ToolCallFormat } from '../../../src/emulator/index.js';
import { parseToolCalls, restoreCallSyntax, separateReasoning } from '../../../src/format/index.js';
import {
  createPipelineFixture,
  PROMPTS,
  rowsTouchedBy,
  simulatedUserOf,
  toolCallsOf,
  useSharedEmulator,
  type PipelineFixture,
} from './conversation-fixture.js';
import { createEmulatorRequester, type EmulatorRequester } from './emulator-requester.js';
import { wireRuleViolation } from './wire-rules.js';

let fixture: PipelineFixture | undefined;
const emulator = useSharedEmulator(5, () => {
  fixture?.close();
  fixture = undefined;
});

function run(pipeline: PipelineFixture, requester: EmulatorRequester, conversationId: string): Promise<SavedConversation> {
  return pipeline.pipeline.run({ conversationId, requester, signal: new AbortController().signal });
}

/** The part of an assistant message after its reasoning. */
/** The reply after the reasoning, without the blank space the pipeline normalises to one blank line. */
function afterThinking(text: string): string {
  const end = text.lastIndexOf('</think>');
  return (end === -1 ? text : text.slice(end + '</think>'.length)).replace(/^\s+/, '');
}

function thinking(text: string): string {
  return /<think>([\s\S]*?)<\/think>/.exec(text)?.[1]?.trim() ?? '';
}

function checkStructure(saved: SavedConversation, requester: EmulatorRequester, format: ToolCallFormat): void {
  const { conversations: messages, metadata } = saved;
  expect(messages[0]).toEqual({ role: 'system', content: PROMPTS.ada });
  expect(messages.slice(1).every((message) => ['user', 'assistant', 'tool'].includes(message.role))).toBe(true);
  expect(messages[1]?.role).toBe('user');
  expect(messages[messages.length - 1]?.role).toBe('assistant');

  // Each tool result follows its call: tool messages come right after a calling assistant message.
  messages.forEach((message, index) => {
    if (message.role !== 'tool') return;
    const previous = messages[index - 1];
    expect(previous?.role === 'tool' || (previous?.role === 'assistant' && parseToolCalls(previous.content).calls.length > 0)).toBe(true);
  });

  const toolCalls = toolCallsOf(saved);
  expect(toolCalls.length).toBeGreaterThan(0);
  for (const call of toolCalls) {
    const caller = messages[call.messageIndex];
    expect(caller?.role).toBe('assistant');
    expect(parseToolCalls(caller?.content ?? '').calls.map((parsed) => parsed.name)).toContain(call.name);
    // The exact markup, as it stands in the reply after the reasoning (the exports cut it out).
    expect(call.raw?.length).toBeGreaterThan(0);
    expect(afterThinking(caller?.content ?? '')).toContain(call.raw ?? "missing raw");
    expect(messages[call.resultIndex]?.role).toBe('tool');
    expect(call.resultIndex).toBeGreaterThan(call.messageIndex);
    expect(messages.slice(call.messageIndex + 1, call.resultIndex + 1).every((message) => message.role === 'tool')).toBe(true);
    expect(call.format).toBe(format);
    expect(call.ok).toBe(true);
    // Saved as the persona prompt teaches; anything else the model wrote is kept as the original.
    expect(call.raw).toMatch(/^<tool_call>\{"name": "/);
    if (format !== 'hermes') expect(call.original).toBeDefined();
  }
  expect(new Set(toolCalls.map((call) => call.resultIndex)).size).toBe(toolCalls.length);
  expect(toolCalls.length).toBe(messages.filter((message) => message.role === 'tool').length);

  // `messages` is aligned with `conversations`.
  const sources = metadata.messages as ({ provider: string; model: string } | null)[];
  expect(sources).toHaveLength(messages.length);
  messages.forEach((message, index) => {
    const expected =
      message.role === 'user'
        ? { provider: 'together', model: 'emulator-tester' }
        : message.role === 'assistant'
          ? { provider: 'together', model: 'emulator-assistant' }
          : null;
    expect(sources[index]).toEqual(expected);
  });

  // Rewritten thinking replaced the original; the reply after </think> is what Ada wrote.
  const originals = requester.received.filter((reply) => reply.role === 'assistant').map((reply) => reply.text.trim());
  const rewrites = requester.received.filter((reply) => reply.role === 'rewriter').map((reply) => thinking(reply.text));
  const savedAssistant = messages.filter((message) => message.role === 'assistant').map((message) => message.content);
  expect(savedAssistant).toHaveLength(originals.length);
  expect(rewrites).toHaveLength(originals.length);
  const assistantIndices = messages.flatMap((message, index) => (message.role === 'assistant' ? [index] : []));
  savedAssistant.forEach((content, index) => {
    const original = originals[index] as string;
    // Calls are saved in the canonical syntax; with the recorded originals put back it is what Ada wrote.
    const pairs = toolCalls
      .filter((call) => call.messageIndex === assistantIndices[index] && call.original !== undefined)
      .map((call) => ({ canonical: call.raw as string, original: call.original as string }));
    expect(afterThinking(restoreCallSyntax(content, pairs))).toBe(afterThinking(original));
    for (const call of parseToolCalls(afterThinking(content)).calls) expect(call.format).toBe('hermes');
    expect(content).toMatch(/<\/think>\n\n\S/);
    expect(thinking(content)).toBe(rewrites[index]);
    expect(thinking(content)).not.toBe(thinking(original));
  });

  // What was sent always satisfied the strictest rules, and the real HTTP API refused nothing.
  for (const request of requester.sent) expect(wireRuleViolation(request.messages)).toBeUndefined();
  expect(emulator().counters().together.badRequests).toBe(0);
}

describe('whole conversations against the emulator over real HTTP', () => {
  it.each(['hermes', 'python', 'mistral', 'plain'] as const)(
    'Ada calling tools in %s format gives a saved conversation with every result after its call and rewritten thinking',
    async (format) => {
      emulator().resetCounters();
      emulator().configure('together', { toolCallFormat: format, toolCallRate: 1 });
      fixture = createPipelineFixture();
      const requester = createEmulatorRequester(emulator());
      const saved = await run(fixture, requester, `conversation-${format}`);
      expect(saved.id).toBe(`conversation-${format}`);
      expect(Object.keys(saved)).toEqual(['id', 'conversations', 'metadata']);
      checkStructure(saved, requester, format);

      const metadata = saved.metadata;
      expect(metadata).toMatchObject({ pipeline: 'ada', pipelineVersion: expect.any(String), dryRun: false, providers: ['together'] });
      expect(metadata.turns).toBe(2);
      expect(metadata.providerSwitches).toEqual([]);
      const usage = metadata.usage as { inputTokens: number; outputTokens: number };
      expect(usage.inputTokens).toBeGreaterThan(0);
      expect(usage.outputTokens).toBeGreaterThan(0);
      expect(metadata.requests).toEqual({
        tester: 2,
        assistant: requester.sent.filter((request) => request.role === 'assistant').length,
        rewriter: requester.sent.filter((request) => request.role === 'rewriter').length,
      });
      const timings = metadata.timings as { startedAt: string; finishedAt: string; durationMs: number };
      expect(Date.parse(timings.finishedAt)).toBeGreaterThanOrEqual(Date.parse(timings.startedAt));
      expect(metadata.createdAt).toBe(timings.finishedAt);
      expect(fixture.pool.leasedCount).toBe(0);

      // The rows are in the SQLite file, for this user, marked with this conversation.
      const user = simulatedUserOf(saved);
      const rows = rowsTouchedBy(fixture.databasePath, saved.id);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.userId === user.id)).toBe(true);
      for (const call of toolCallsOf(saved)) {
        if (call.name === 'add_memory' || call.name === 'add_diary') {
          const table = call.name === 'add_memory' ? 'memories' : 'diary_entries';
          for (const text of (call.arguments as { input_text: string[] }).input_text) {
            expect(rows).toContainEqual(expect.objectContaining({ table, content: text, createdBy: saved.id }));
          }
        }
        if (call.name === 'delete_memory') {
          expect(rows.some((row) => row.table === 'memories' && row.deletedBy === saved.id)).toBe(true);
        }
      }
      const live = fixture.store.counts(user.id);
      expect(live.memories).toBe(rows.filter((row) => row.table === 'memories' && row.deletedBy === null).length);
      expect(live.diary).toBe(rows.filter((row) => row.table === 'diary_entries' && row.deletedBy === null).length);
    },
  );

  it("a second conversation of the same user recalls the first one's memories", async () => {
    emulator().configure('together', { toolCallFormat: 'hermes', toolCallRate: 1 });
    fixture = createPipelineFixture({ turns: { min: 1, max: 1 } });
    const first = await run(fixture, createEmulatorRequester(emulator()), 'first');
    const remembered = toolCallsOf(first)
      .filter((call) => call.name === 'add_memory')
      .flatMap((call) => (call.arguments as { input_text: string[] }).input_text);
    expect(remembered.length).toBeGreaterThan(0);

    // The second time, the user asks what Ada remembers; Ada (the emulator) recalls for real.
    const asking = createEmulatorRequester(emulator(), 'together', (request) =>
      request.role === 'tester' ? 'Do you remember what I told you earlier?' : undefined,
    );
    const second = await run(fixture, asking, 'second');
    expect(simulatedUserOf(second).id).toBe(simulatedUserOf(first).id);
    const recall = toolCallsOf(second).find((call) => call.name === 'recall_memories');
    expect(recall).toBeDefined();
    const result = second.conversations[recall?.resultIndex ?? -1]?.content ?? '';
    for (const fact of remembered) expect(result).toContain(fact);
  });

  it('with rewriting off the thinking is saved exactly as Ada wrote it, one blank line before the reply, and the rewriter is never called', async () => {
    emulator().configure('together', { toolCallFormat: 'mixed', toolCallRate: 0.5 });
    fixture = createPipelineFixture({ rewrite: false, dryRun: true });
    const requester = createEmulatorRequester(emulator());
    const saved = await run(fixture, requester, 'no-rewrite');
    const originals = requester.received.filter((reply) => reply.role === 'assistant').map((reply) => reply.text.trim());
    expect(saved.conversations.filter((message) => message.role === 'assistant').map((message) => message.content)).toEqual(originals.map(separateReasoning));
    expect(originals.some((original) => original !== separateReasoning(original))).toBe(true);
    expect(requester.sent.some((request) => request.role === 'rewriter')).toBe(false);
    expect(saved.metadata.dryRun).toBe(true);
    expect(saved.metadata.rewrite).toEqual({ enabled: false, messages: [] });
  });

  it('a tester that leaks reasoning or a "User:" label still gives clean user messages', async () => {
    emulator().configure('together', { toolCallRate: 0.5, faults: { rateTesterLeak: 1 } });
    fixture = createPipelineFixture({ turns: { min: 3, max: 3 } });
    const requester = createEmulatorRequester(emulator());
    const saved = await run(fixture, requester, 'leaky-tester');
    const leaked = requester.received.filter((reply) => reply.role === 'tester').map((reply) => reply.text);
    expect(leaked.every((text) => text.startsWith('<think>') || text.startsWith('User: '))).toBe(true);
    const userMessages = saved.conversations.filter((message) => message.role === 'user').map((message) => message.content);
    expect(userMessages).toHaveLength(3);
    for (const text of userMessages) {
      expect(text).not.toMatch(/<think>|<\/think>|^User:/);
      expect(text.length).toBeGreaterThan(0);
    }
  });
});
