import { describe, expect, it } from 'vitest';
import { viewConversation } from '../../src/dashboard/conversation-view.js';
import type { SavedConversation } from '../../src/format/index.js';

const call = '<tool_call>{"name": "add_memory", "arguments": {"input_text": ["Has a dog"]}}</tool_call>';

const conversation: SavedConversation = {
  id: 'c-1',
  label: true,
  report: { issues: [{ level: 'warning', code: 'short-reply', message: 'short' }] },
  conversations: [
    { role: 'system', content: 'You are Ada.' },
    { role: 'user', content: 'I got a dog!' },
    { role: 'assistant', content: `<think>\nThey have news; save it.\n</think>\n\nHow lovely!\n${call}` },
    { role: 'tool', content: 'Saved 1 memory (number 1).' },
    { role: 'assistant', content: '<think>Done.</think>\n\nNoted.' },
    { role: 'tool', content: 'a result no call claims' },
  ],
  metadata: {
    createdAt: '2026-12-01T23:24:51.776Z',
    providers: ['mistral'],
    toolCalls: [{ messageIndex: 2, resultIndex: 3, name: 'add_memory', arguments: { input_text: ['Has a dog'] }, ok: true }],
  },
};

describe('a saved conversation as the page shows it', () => {
  it('reasoning apart from the reply, each call paired with its result, an unclaimed tool message kept in place', () => {
    const view = viewConversation(conversation);
    expect(view).toMatchObject({ id: 'c-1', createdAt: '2026-12-01T23:24:51.776Z', providers: ['mistral'], label: true, issueCodes: ['short-reply'] });
    expect(view.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'assistant', 'tool']);
    expect(view.messages[2]).toEqual({
      role: 'assistant',
      text: 'How lovely!',
      reasoning: ['They have news; save it.'],
      calls: [{ name: 'add_memory', arguments: '{"input_text":["Has a dog"]}', result: 'Saved 1 memory (number 1).', ok: true }],
    });
    expect(view.messages[4]!.text).toBe('a result no call claims');
  });

  it('a very long message is cut for the page; the file keeps it whole', () => {
    const long = { ...conversation, conversations: [{ role: 'user' as const, content: 'x'.repeat(10_000) }], metadata: {} };
    const text = viewConversation(long).messages[0]!.text;
    expect(text.length).toBe(4000);
    expect(text.endsWith('…')).toBe(true);
  });
});
