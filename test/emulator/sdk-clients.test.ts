import { InferenceClient } from '@huggingface/inference';
import { Mistral } from '@mistralai/mistralai';
import OpenAI from 'openai';
import Together from 'together-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { PROVIDER_TYPES } from '../../src/core/types.js';
import { postChat } from './chat-helpers.js';

const KEY = 'sk-test-secret-key-123';
const MESSAGES = [
  { role: 'system' as const, content: 'You are Ada. Call tools with <tool_call> tags.' },
  { role: 'user' as const, content: "hi! I'm learning Spanish with an app every morning." },
];

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 11 });
});

afterAll(async () => {
  await emulator.close();
});

interface Parsed {
  readonly content: string;
  readonly finishReason: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const clients: Record<(typeof PROVIDER_TYPES)[number], () => Promise<Parsed>> = {
  async mistral() {
    const client = new Mistral({ apiKey: KEY, serverURL: emulator.baseUrls.mistral, retryConfig: { strategy: 'none' } });
    const reply = await client.chat.complete({ model: 'open-mistral-nemo', messages: MESSAGES, maxTokens: 400 });
    const choice = reply.choices[0];
    return {
      content: String(choice?.message?.content),
      finishReason: String(choice?.finishReason),
      promptTokens: reply.usage.promptTokens ?? -1,
      completionTokens: reply.usage.completionTokens ?? -1,
    };
  },
  async together() {
    const client = new Together({ apiKey: KEY, baseURL: emulator.baseUrls.together, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: 'Qwen/Qwen3-8B', messages: MESSAGES, max_tokens: 400 });
    return fromOpenAiShape(reply);
  },
  async huggingface() {
    const client = new InferenceClient(KEY);
    const reply = await client.chatCompletion(
      { endpointUrl: emulator.baseUrls.huggingface, model: 'tgi', messages: MESSAGES, max_tokens: 400 },
      { retry_on_error: false },
    );
    return fromOpenAiShape(reply);
  },
  async openai_compatible() {
    const client = new OpenAI({ apiKey: KEY, baseURL: emulator.baseUrls.openai_compatible, maxRetries: 0 });
    const reply = await client.chat.completions.create({ model: 'local', messages: MESSAGES, max_tokens: 400 });
    return fromOpenAiShape(reply);
  },
};

/** Together, HF and OpenAI type their replies differently but share the OpenAI wire shape. */
function fromOpenAiShape(reply: object): Parsed {
  const plain = JSON.parse(JSON.stringify(reply)) as {
    choices: { message: { content: string }; finish_reason: string }[];
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  const choice = plain.choices[0];
  return {
    content: String(choice?.message.content),
    finishReason: String(choice?.finish_reason),
    promptTokens: plain.usage.prompt_tokens,
    completionTokens: plain.usage.completion_tokens,
  };
}

describe('the real SDKs cannot tell the emulator from the real API', () => {
  for (const provider of PROVIDER_TYPES) {
    it(`the ${provider} SDK parses a reply with its usage`, async () => {
      const parsed = await clients[provider]();
      expect(parsed.content).toMatch(/^<think>[\s\S]+<\/think>\n\S/);
      expect(parsed.finishReason).toBe('stop');
      const promptCharacters = MESSAGES.reduce((sum, message) => sum + message.content.length, 0);
      expect(parsed.promptTokens).toBe(Math.ceil(promptCharacters / 4));
      expect(parsed.completionTokens).toBe(Math.ceil(parsed.content.length / 4));
    });
  }

  it('the same request gets the same reply from every provider (content depends on seed and request only)', async () => {
    const replies = await Promise.all(
      PROVIDER_TYPES.map((provider) => postChat(emulator, provider, { model: 'same-assistant', messages: MESSAGES })),
    );
    const contents = replies.map((reply) => JSON.parse(reply.text).choices[0].message.content as string);
    expect(new Set(contents).size).toBe(1);
  });

  it('each SDK surfaces the 401 of a refused key with its provider-shaped body, and the key is never echoed', async () => {
    emulator.configure('mistral', { authFailure: true });
    emulator.configure('together', { authFailure: true });
    emulator.configure('huggingface', { authFailure: true });
    emulator.configure('openai_compatible', { authFailure: true });
    try {
      const errors = await Promise.all(
        PROVIDER_TYPES.map((provider) => clients[provider]().then(() => undefined, (error: unknown) => error)),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(Error);
        const status = (error as { status?: number; statusCode?: number; httpResponse?: { status: number } });
        expect(status.status ?? status.statusCode ?? status.httpResponse?.status).toBe(401);
        expect(JSON.stringify(error)).not.toContain(KEY);
        expect(String((error as Error).message)).not.toContain(KEY);
      }
      const mistralBody = JSON.parse((await postChat(emulator, 'mistral', { model: 'x', messages: MESSAGES })).text);
      expect(mistralBody).toMatchObject({ object: 'error', type: 'unauthorized' });
      const hfBody = JSON.parse((await postChat(emulator, 'huggingface', { model: 'x', messages: MESSAGES })).text);
      expect(hfBody).toEqual({ error: expect.any(String), error_type: 'authentication' });
      const openAiBody = JSON.parse((await postChat(emulator, 'together', { model: 'x', messages: MESSAGES })).text);
      expect(openAiBody.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
      expect(emulator.counters().together.authFailures).toBeGreaterThanOrEqual(2);
    } finally {
      for (const provider of PROVIDER_TYPES) emulator.configure(provider, {});
    }
    expect((await clients.mistral()).content.length).toBeGreaterThan(0);
  });

  it('a request without a bearer token is refused with 401', async () => {
    const reply = await postChat(emulator, 'openai_compatible', { model: 'x', messages: MESSAGES }, { key: null });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('content-type')).toBe('application/json');
  });

  it('the OpenAI SDK lists the models, and unknown paths answer 404 JSON', async () => {
    const client = new OpenAI({ apiKey: KEY, baseURL: emulator.baseUrls.openai_compatible, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('emulator-assistant');
    const missing = await fetch(`${emulator.url}/together/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('/together/v1/embeddings');
  });
});
