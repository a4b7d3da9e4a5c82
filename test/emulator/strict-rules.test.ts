import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_TYPES, type ProviderType } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { postChat, type WireMessageLike } from './chat-helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 2 });
});
afterAll(async () => {
  await emulator.close();
});

const SYSTEM = { role: 'system', content: 'You are a tester.' };
const USER = { role: 'user', content: 'hi' };
const ASSISTANT = { role: 'assistant', content: 'hello!' };
const CALLING = { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'recall_memories', arguments: '{}' } }] };
const TOOL = { role: 'tool', content: 'No memories yet.', tool_call_id: 'call_1' };

/** Asserts a 400 in the provider's own error shape and returns its message. */
function expectProviderShapedBadRequest(provider: ProviderType, status: number, text: string): string {
  expect(status).toBe(400);
  const body = JSON.parse(text) as Record<string, unknown>;
  switch (provider) {
    case 'mistral':
      expect(body).toMatchObject({ object: 'error', type: 'invalid_request_message_order', code: '3230' });
      return body.message as string;
    case 'huggingface':
      expect(body).toEqual({ error: expect.any(String), error_type: 'template_error' });
      return body.error as string;
    default: {
      const error = body.error as Record<string, unknown>;
      expect(error).toMatchObject({ type: 'invalid_request_error', message: expect.any(String) });
      return error.message as string;
    }
  }
}

async function send(provider: ProviderType, messages: readonly WireMessageLike[], extra: Record<string, unknown> = {}) {
  return postChat(emulator, provider, { model: 'rules-tester', messages, ...extra });
}

const VIOLATIONS: readonly (readonly [string, readonly WireMessageLike[], RegExp])[] = [
  ['an empty message list', [], /empty/],
  ['an unknown role', [{ role: 'narrator', content: 'x' }], /role/],
  ['content that is not a string', [{ role: 'user', content: [{ type: 'image_url' }] }], /content/],
  ['a system message after the first', [USER, SYSTEM], /system/],
  ['two user messages in a row', [SYSTEM, USER, USER], /user/],
  ['an assistant message first', [ASSISTANT, USER], /assistant/],
  ['two assistant messages in a row', [USER, ASSISTANT, ASSISTANT, USER], /assistant/],
  ['a conversation ending with the assistant', [SYSTEM, USER, ASSISTANT], /assistant/],
  ['a conversation that is only a system prompt', [SYSTEM], /system/],
];

describe('strict message rules', () => {
  for (const provider of PROVIDER_TYPES) {
    for (const [name, messages, pattern] of VIOLATIONS) {
      it(`${provider} refuses ${name} with a 400 in its own error shape`, async () => {
        const reply = await send(provider, messages);
        expect(expectProviderShapedBadRequest(provider, reply.status, reply.text)).toMatch(pattern);
      });
    }

    it(`${provider} answers a correctly shaped conversation: system, then alternation ending with user`, async () => {
      const reply = await send(provider, [SYSTEM, USER, ASSISTANT, USER, ASSISTANT, { role: 'user', content: '<tool_response>\nSaved.\n</tool_response>' }]);
      expect(reply.status).toBe(200);
    });
  }

  it('mistral accepts a trailing assistant message with prefix: true, nobody else does', async () => {
    const prefixed = [USER, { ...ASSISTANT, prefix: true }];
    expect((await send('mistral', prefixed)).status).toBe(200);
    expect((await send('together', prefixed)).status).toBe(400);
  });

  it('mistral (3230) refuses a user message after a tool message and a tool message without a calling assistant', async () => {
    const userAfterTool = await send('mistral', [USER, CALLING, TOOL, USER]);
    expect(expectProviderShapedBadRequest('mistral', userAfterTool.status, userAfterTool.text)).toBe("Unexpected role 'user' after role 'tool'");
    const toolAfterUser = await send('mistral', [USER, TOOL]);
    expect(expectProviderShapedBadRequest('mistral', toolAfterUser.status, toolAfterUser.text)).toBe("Unexpected role 'tool' after role 'user'");
    expect((await send('mistral', [USER, CALLING, TOOL])).status).toBe(200);
  });

  for (const provider of ['together', 'openai_compatible', 'huggingface'] as const) {
    it(`${provider} requires a tool message's tool_call_id to match a call of the assistant before it`, async () => {
      const mismatched = await send(provider, [USER, CALLING, { ...TOOL, tool_call_id: 'call_9' }]);
      expect(expectProviderShapedBadRequest(provider, mismatched.status, mismatched.text)).toMatch(/tool_call_id is 'call_9'/);
      const missing = await send(provider, [USER, CALLING, { role: 'tool', content: 'x' }]);
      expect(expectProviderShapedBadRequest(provider, missing.status, missing.text)).toMatch(/tool_call_id is missing/);
      expect((await send(provider, [USER, CALLING, TOOL])).status).toBe(200);
      expect((await send(provider, [USER, CALLING, TOOL, ASSISTANT, USER])).status).toBe(200);
    });
  }

  it('unreadable bodies are 400s, and every 400 is counted with its message', async () => {
    emulator.resetCounters();
    const garbage = await fetch(`${emulator.baseUrls.openai_compatible}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: '{"model": "x", "messages": [',
    });
    expect(garbage.status).toBe(400);
    const noModel = await postChat(emulator, 'openai_compatible', { messages: [USER] });
    expect(expectProviderShapedBadRequest('openai_compatible', noModel.status, noModel.text)).toMatch(/model/i);
    const counters = emulator.counters().openai_compatible;
    expect(counters.badRequests).toBe(2);
    expect(counters.badRequestMessages).toHaveLength(2);
    expect(counters.badRequestMessages[0]).toMatch(/JSON/);
    expect(counters.ok).toBe(0);
  });

  it('a streaming request breaking the rules is refused the same way, before any stream starts', async () => {
    const streamed = await send('mistral', [ASSISTANT], { stream: true });
    expect(streamed.headers.get('content-type')).toBe('application/json');
    expect(expectProviderShapedBadRequest('mistral', streamed.status, streamed.text)).toMatch(/role/i);
  });

  it('with strict: false any order is answered', async () => {
    emulator.configure('together', { strict: false });
    try {
      const reply = await send('together', [ASSISTANT, ASSISTANT, SYSTEM]);
      expect(reply.status).toBe(200);
    } finally {
      emulator.configure('together', {});
    }
    expect((await send('together', [ASSISTANT, ASSISTANT, SYSTEM])).status).toBe(400);
  });
});
