import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderType, WireMessage } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createProvider } from '../../src/providers/create-provider.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';
import { startRecordingProxy, type RecordedRequest } from '../helpers/recording-proxy.js';

/**
 * What each adapter puts on the wire validates against the provider's official request schema
 * (extracted into test/fixtures/schemas from the OpenAPI documents; see the script there).
 * The OpenAI-compatible adapter is checked against Together's schema, an OpenAI-compatible API.
 */
const SCHEMAS: Readonly<Record<ProviderType, string>> = {
  mistral: 'mistral-chat-request.schema.json',
  together: 'together-chat-request.schema.json',
  huggingface: 'hf-tgi-chat-request.schema.json',
  openai_compatible: 'together-chat-request.schema.json',
};

const USAGE_ASKED: Readonly<Record<ProviderType, boolean>> = { mistral: false, together: false, huggingface: true, openai_compatible: true };

const MESSAGES: readonly WireMessage[] = [
  { role: 'system', content: 'You are Ada.' },
  { role: 'user', content: 'Hello there' },
  { role: 'assistant', content: '<think>greet</think>\nHi! <tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>' },
  { role: 'user', content: '<tool_response>\nNo memories saved yet.\n</tool_response>' },
];

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 3 });
  proxy = await startRecordingProxy(emulator.url);
});
afterAll(async () => {
  await proxy.close();
  await emulator.close();
});

describe.each(Object.keys(SCHEMAS) as ProviderType[])('the %s adapter on the wire', (name) => {
  let recorded: RecordedRequest;
  beforeAll(async () => {
    const provider = createProvider(name, { apiKey: 'schema-key-123456', baseUrl: emulator.baseUrls[name].replace(emulator.url, proxy.url) });
    const before = proxy.requests.length;
    await provider.complete({ model: 'emulator-assistant', messages: MESSAGES, temperature: 0.6, topP: 0.85, maxTokens: 256, stop: ['</tool_call>'] });
    expect(proxy.requests.length).toBe(before + 1);
    recorded = proxy.requests.at(-1)!;
  });

  it('sends a body that validates against the official request schema', () => {
    const schema = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'test/fixtures/schemas', SCHEMAS[name]), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false }).compile(schema);
    const body = JSON.parse(recorded.body);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('sends the fields under their wire names, streaming, and the key only in the Authorization header', () => {
    const body = JSON.parse(recorded.body);
    expect(body).toMatchObject({ model: 'emulator-assistant', max_tokens: 256, temperature: 0.6, top_p: 0.85 });
    // Mistral's SDK adds `prefix: false` to assistant messages; roles and contents are what matter.
    expect(body.messages.map(({ role, content }: WireMessage) => ({ role, content }))).toEqual(MESSAGES);
    expect(body.maxTokens).toBeUndefined();
    expect(body.topP).toBeUndefined();
    expect(body.stream).toBe(true);
    // OpenAI and TGI stream usage only when asked; Mistral and Together send it unasked (and
    // Mistral's schema forbids unknown fields).
    expect(body.stream_options).toEqual(USAGE_ASKED[name] ? { include_usage: true } : undefined);
    expect(recorded.headers.authorization).toBe('Bearer schema-key-123456');
    expect(recorded.path).toMatch(/\/v1\/chat\/completions$/);
  });
});
