import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderType } from '../../src/core/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';
import { chatUrl, conversation, postChat, postChatStream, replyContent, type RawStream } from './chat-helpers.js';

const BODY = { model: 'stream-assistant', messages: conversation('I keep forgetting to water my basil. Any tricks?') };

/**
 * Each provider's official chunk schema (extracted into test/fixtures/schemas from its OpenAPI
 * document). OpenAI publishes none here; its shape is checked field by field below.
 */
const CHUNK_SCHEMAS: Readonly<Partial<Record<ProviderType, string>>> = {
  mistral: 'mistral-chat-chunk.schema.json',
  together: 'together-chat-chunk.schema.json',
  huggingface: 'hf-tgi-chat-chunk.schema.json',
};

function chunkValidator(provider: ProviderType): ValidateFunction | undefined {
  const file = CHUNK_SCHEMAS[provider];
  if (file === undefined) return undefined;
  const schema = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'test/fixtures/schemas', file), 'utf8'));
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false }).compile(schema);
}

interface Chunk {
  readonly object: string;
  readonly model: string;
  readonly choices: { readonly delta: { readonly role?: string; readonly content?: string }; readonly finish_reason: string | null }[];
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number } | null;
}

/** The JSON chunks of a stream that ended with `data: [DONE]`. */
function chunksOf(stream: RawStream): Chunk[] {
  expect(stream.events.at(-1)?.data).toBe('[DONE]');
  return stream.events.slice(0, -1).map((event) => JSON.parse(event.data) as Chunk);
}

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('streamed answers (stream: true)', () => {
  it.each(['mistral', 'together', 'huggingface', 'openai_compatible'] as const)(
    '%s streams the same reply as server-sent events in its own chunk shape, ending with [DONE]',
    async (provider) => {
      emulator = await startEmulator({ seed: 4 });
      const whole = replyContent(await postChat(emulator, provider, BODY));
      const stream = await postChatStream(emulator, provider, BODY);
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.ended).toBe(true);
      const chunks = chunksOf(stream);
      expect(chunks.length).toBeGreaterThan(3);
      const validate = chunkValidator(provider);
      for (const chunk of chunks) {
        if (validate !== undefined) expect(validate(chunk), JSON.stringify(validate.errors)).toBe(true);
        expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'stream-assistant' });
      }
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(whole);
      const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason != null);
      expect(finishing.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['stop']);
      expect(emulator.counters()[provider]).toMatchObject({ ok: 2, streamed: 1 });
    },
  );

  it('Mistral and Together put usage on the finishing chunk; OpenAI and TGI send it on an extra chunk, only when asked', async () => {
    emulator = await startEmulator({ seed: 4 });
    const expected = JSON.parse((await postChat(emulator, 'together', BODY)).text).usage;
    for (const provider of ['mistral', 'together'] as const) {
      const chunks = chunksOf(await postChatStream(emulator, provider, BODY));
      const withUsage = chunks.filter((chunk) => chunk.usage != null);
      expect(withUsage).toHaveLength(1);
      expect(withUsage[0]?.choices[0]?.finish_reason).toBe('stop');
      expect(withUsage[0]?.usage).toEqual(expected);
    }
    for (const provider of ['huggingface', 'openai_compatible'] as const) {
      const unasked = chunksOf(await postChatStream(emulator, provider, BODY));
      expect(unasked.filter((chunk) => chunk.usage != null)).toEqual([]);
      const asked = chunksOf(await postChatStream(emulator, provider, { ...BODY, stream_options: { include_usage: true } }));
      expect(asked.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      expect(asked.at(-1)).toMatchObject({ choices: [], usage: expected });
    }
  });

  it('the first chunk comes after the first-chunk share of the latency, the rest at even gaps, the last at the whole latency', async () => {
    emulator = await startEmulator({ defaults: { latency: { medianMs: 400, sigma: 0, firstChunkShare: 0.25 }, streamChunkCharacters: 40 } });
    const stream = await postChatStream(emulator, 'openai_compatible', BODY);
    const times = stream.events.map((event) => event.atMs);
    expect(times.length).toBeGreaterThan(4);
    expect(times[0]).toBeGreaterThanOrEqual(90);
    expect(times[0]).toBeLessThan(300);
    expect(times.at(-1)).toBeGreaterThanOrEqual(390);
    // Spread out, not sent in one burst (the role chunk and the first piece go out together).
    expect(times[2]! - times[1]!).toBeGreaterThan(5);
    expect(times.at(-2)! - times[0]!).toBeGreaterThan(200);
  });

  it('smaller chunks make more events carrying the same text', async () => {
    emulator = await startEmulator({ seed: 4, defaults: { streamChunkCharacters: 4 } });
    const fine = chunksOf(await postChatStream(emulator, 'together', BODY));
    emulator.configure('together', { streamChunkCharacters: 64 });
    const coarse = chunksOf(await postChatStream(emulator, 'together', BODY));
    expect(fine.length).toBeGreaterThan(coarse.length * 4);
    const text = (chunks: Chunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text(fine)).toBe(text(coarse));
  });
});

describe('stream faults', () => {
  it('a stall sends the headers and part of the stream, then silence until the client gives up, and is counted', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateStall: 1 }, streamChunkCharacters: 8 } });
    const stream = await postChatStream(emulator, 'mistral', BODY, { silenceMs: 300 });
    expect(stream.status).toBe(200);
    expect(stream.ended).toBe(false);
    expect(stream.events.length).toBeGreaterThan(0);
    expect(stream.events.map((event) => event.data)).not.toContain('[DONE]');
    const counters = emulator.counters().mistral;
    expect(counters.injected.stall).toBe(1);
    expect(counters.ok).toBe(0);
  });

  it('a stalled JSON answer sends its headers and half the body, then silence', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateStall: 1 } } });
    const controller = new AbortController();
    const response = await fetch(chatUrl(emulator, 'together'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify(BODY),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const declared = Number(response.headers.get('content-length'));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.value!.byteLength).toBeLessThan(declared);
    const silent = await Promise.race([reader.read().then(() => 'more'), new Promise((resolve) => setTimeout(() => resolve('silent'), 300))]);
    expect(silent).toBe('silent');
    controller.abort();
  });

  it('close() ends stalled streams instead of waiting for their clients', async () => {
    const running = await startEmulator({ defaults: { faults: { rateStall: 1 } } });
    const stalled = postChatStream(running, 'huggingface', BODY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = performance.now();
    await running.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    await expect(stalled).rejects.toThrow();
  });

  it('a malformed stream cuts a chunk mid-JSON and ends without [DONE]', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateMalformed: 1 } } });
    const stream = await postChatStream(emulator, 'together', BODY);
    expect(stream.status).toBe(200);
    expect(stream.ended).toBe(true);
    const data = stream.events.map((event) => event.data);
    expect(data).not.toContain('[DONE]');
    expect(() => JSON.parse(data.at(-1)!)).toThrow(SyntaxError);
    expect(emulator.counters().together.injected.malformed).toBe(1);
  });

  it.each([71, 100_000])(
    'with the whole reply in one chunk (%i characters per chunk) a stall still sends the headers and part of the stream, never its end, then silence',
    async (streamChunkCharacters) => {
      emulator = await startEmulator({ defaults: { faults: { rateStall: 1 }, streamChunkCharacters } });
      const stream = await postChatStream(emulator, 'together', BODY, { silenceMs: 300 });
      expect(stream.status).toBe(200);
      expect(stream.ended).toBe(false);
      const data = stream.events.map((event) => event.data);
      expect(data.length).toBeGreaterThan(0);
      expect(data).not.toContain('[DONE]');
      const chunks = data.map((payload) => JSON.parse(payload) as Chunk);
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
      expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason != null)).toEqual([]);
      expect(emulator.counters().together.injected.stall).toBe(1);
    },
  );

  it.each([71, 100_000])(
    'with the whole reply in one chunk (%i characters per chunk) a malformed stream still cuts a chunk mid-JSON and ends without [DONE]',
    async (streamChunkCharacters) => {
      emulator = await startEmulator({ defaults: { faults: { rateMalformed: 1 }, streamChunkCharacters } });
      // A stream that never ends would be a failure too: give up on it after a second of silence.
      const stream = await postChatStream(emulator, 'mistral', BODY, { silenceMs: 1000 });
      expect(stream.status).toBe(200);
      expect(stream.ended).toBe(true);
      const data = stream.events.map((event) => event.data);
      expect(data).not.toContain('[DONE]');
      expect(() => JSON.parse(data.at(-1)!)).toThrow(SyntaxError);
      expect(emulator.counters().mistral.injected.malformed).toBe(1);
    },
  );

  it('a hung streaming request sends nothing at all, not even headers', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateHang: 1 } } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = fetch(chatUrl(emulator, 'mistral'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ ...BODY, stream: true }),
      signal: controller.signal,
    });
    await expect(started).rejects.toThrow(/abort/i);
    expect(emulator.counters().mistral.injected.hang).toBe(1);
  });
});
