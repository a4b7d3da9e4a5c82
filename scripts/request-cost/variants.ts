/**
 * The ways of making one chat request that `scripts/bench-request-cost.ts` compares: below any SDK
 * (node:http, fetch, fetch with the events parsed), each of our four adapters through its real SDK
 * (streamed, as the daemon sends every request), and each SDK's non-streamed call for comparison.
 * Each variant imports only what it uses, so a child process measuring one loads one SDK.
 */
import { request as httpRequest } from 'node:http';
import type { ProviderType } from '../../src/core/types.js';

export interface VariantSetup {
  /** What each SDK is pointed at (the emulator's `baseUrls`). */
  readonly baseUrls: Readonly<Record<ProviderType, string>>;
  /** A model whose role the emulator does not script, so it answers with a reply of known length. */
  readonly model: string;
  /** The user message; the emulator's generic reply quotes it. */
  readonly userText: string;
}

/** What one request brought back: the reply's characters (undefined when the variant does not read the events), and the body's pieces as read off the socket (0 when not seen). */
export interface RequestOutcome {
  readonly characters: number | undefined;
  readonly pieces: number;
}

export type RequestOnce = () => Promise<RequestOutcome>;

export interface Variant {
  readonly name: string;
  readonly streamed: boolean;
  /** One line for the table: what the variant pays for. */
  readonly description: string;
  prepare(setup: VariantSetup): Promise<RequestOnce>;
}

const API_KEY = 'request-cost-bench-key';

/** The raw endpoints go to Together's route: its chunks are the bench workload's most common shape. */
function rawEndpoint(setup: VariantSetup): string {
  return `${setup.baseUrls.together}/chat/completions`;
}

function rawBody(setup: VariantSetup, stream: boolean): string {
  return JSON.stringify({ model: setup.model, messages: [{ role: 'user', content: setup.userText }], stream });
}

const RAW_HEADERS = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

/** The text of every `data:` event of an SSE body, as any client must at least do to read the reply. */
function replyOfEvents(body: string): string {
  let text = '';
  for (const block of body.split('\n\n')) {
    if (!block.startsWith('data: ') || block === 'data: [DONE]') continue;
    const chunk = JSON.parse(block.slice(6)) as { choices: { delta?: { content?: string | null } }[] };
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return text;
}

const httpStream: Variant = {
  name: 'node:http, streamed',
  streamed: true,
  description: 'node:http reads the SSE body as text (below fetch; no SDK uses it)',
  prepare: async (setup) => {
    const url = new URL(rawEndpoint(setup));
    const body = rawBody(setup, true);
    return () =>
      new Promise((resolve, reject) => {
        const outgoing = httpRequest(url, { method: 'POST', headers: RAW_HEADERS }, (response) => {
          response.setEncoding('utf8');
          let text = '';
          let pieces = 0;
          response.on('data', (piece: string) => {
            pieces++;
            text += piece;
          });
          response.on('end', () => resolve({ characters: replyOfEvents(text).length, pieces }));
          response.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(body);
      });
  },
};

/** fetch, the body read piece by piece and decoded; `parse` also reads the events (JSON.parse each). */
function fetchStream(parse: boolean): Variant {
  return {
    name: parse ? 'fetch, streamed, events parsed' : 'fetch, streamed',
    streamed: true,
    description: parse
      ? 'the same, and each event JSON.parsed for its text: the floor of any fetch client that reads the reply'
      : "fetch (undici) reads the SSE body as text: the floor under every SDK's fetch",
    prepare: async (setup) => {
      const endpoint = rawEndpoint(setup);
      const body = rawBody(setup, true);
      return async () => {
        const response = await fetch(endpoint, { method: 'POST', headers: RAW_HEADERS, body });
        const decoder = new TextDecoder();
        let text = '';
        let pieces = 0;
        for await (const piece of response.body as ReadableStream<Uint8Array>) {
          pieces++;
          text += decoder.decode(piece, { stream: true });
        }
        text += decoder.decode();
        return { characters: parse ? replyOfEvents(text).length : undefined, pieces };
      };
    },
  };
}

const fetchJson: Variant = {
  name: 'fetch, not streamed',
  streamed: false,
  description: 'fetch and response.json() of one chat.completion',
  prepare: async (setup) => {
    const endpoint = rawEndpoint(setup);
    const body = rawBody(setup, false);
    return async () => {
      const response = await fetch(endpoint, { method: 'POST', headers: RAW_HEADERS, body });
      const completion = (await response.json()) as { choices: { message: { content: string } }[] };
      return { characters: completion.choices[0]?.message.content.length ?? 0, pieces: 0 };
    };
  },
};

/** One of our adapters (src/providers), exactly as the daemon calls it. */
function adapter(type: ProviderType): Variant {
  return {
    name: `${type} adapter, streamed`,
    streamed: true,
    description: `src/providers ${type} adapter through its SDK, as the daemon sends every request`,
    prepare: async (setup) => {
      const { createProvider } = await import('../../src/providers/create-provider.js');
      const provider = createProvider(type, { apiKey: API_KEY, baseUrl: setup.baseUrls[type] });
      const request = { model: setup.model, messages: [{ role: 'user' as const, content: setup.userText }] };
      return async () => {
        const result = await provider.complete(request);
        return { characters: result.text.length, pieces: 0 };
      };
    },
  };
}

/** Each SDK's own non-streamed call (our adapters always stream), for comparison. */
function sdkJson(type: ProviderType): Variant {
  return {
    name: `${type} SDK, not streamed`,
    streamed: false,
    description: `the ${type} SDK's non-streamed chat call (not an adapter of ours)`,
    prepare: async (setup) => {
      const messages = [{ role: 'user' as const, content: setup.userText }];
      const baseUrl = setup.baseUrls[type];
      const textOf = (content: unknown): RequestOutcome => ({ characters: typeof content === 'string' ? content.length : 0, pieces: 0 });
      if (type === 'mistral') {
        const { Mistral } = await import('@mistralai/mistralai');
        const client = new Mistral({ apiKey: API_KEY, serverURL: baseUrl, retryConfig: { strategy: 'none' } });
        return async () => textOf((await client.chat.complete({ model: setup.model, messages })).choices?.[0]?.message?.content);
      }
      if (type === 'huggingface') {
        const { chatCompletion } = await import('@huggingface/inference');
        return async () =>
          textOf((await chatCompletion({ accessToken: API_KEY, endpointUrl: baseUrl, model: setup.model, messages }, { retry_on_error: false })).choices[0]?.message.content);
      }
      const options = { apiKey: API_KEY, baseURL: baseUrl, maxRetries: 0 };
      const body = { model: setup.model, messages, stream: false as const };
      if (type === 'together') {
        const client = new (await import('together-ai')).default(options);
        return async () => textOf((await client.chat.completions.create(body)).choices[0]?.message?.content);
      }
      const client = new (await import('openai')).default(options);
      return async () => textOf((await client.chat.completions.create(body)).choices[0]?.message?.content);
    },
  };
}

const ADAPTER_TYPES: readonly ProviderType[] = ['mistral', 'together', 'huggingface', 'openai_compatible'];

export const VARIANTS: readonly Variant[] = [
  httpStream,
  fetchStream(false),
  fetchStream(true),
  ...ADAPTER_TYPES.map(adapter),
  fetchJson,
  ...ADAPTER_TYPES.map(sdkJson),
];
