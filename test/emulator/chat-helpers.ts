import type { Emulator } from '../../src/emulator/index.js';
import type { ProviderType } from '../../src/core/types.js';

export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface WireMessageLike {
  readonly role: string;
  readonly content?: unknown;
  readonly [key: string]: unknown;
}

/** The chat path of a provider, as its SDK builds it from the base URL. */
export function chatUrl(emulator: Emulator, provider: ProviderType): string {
  const base = emulator.baseUrls[provider];
  return provider === 'mistral' || provider === 'huggingface' ? `${base}/v1/chat/completions` : `${base}/chat/completions`;
}

/** A raw POST, for what SDKs hide: status, headers and the exact body. */
export async function postChat(
  emulator: Emulator,
  provider: ProviderType,
  body: Record<string, unknown>,
  init: { readonly key?: string | null; readonly signal?: AbortSignal } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? 'test-key'}`;
  const response = await fetch(chatUrl(emulator, provider), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: init.signal,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function conversation(...contents: string[]): WireMessageLike[] {
  return contents.map((content, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content }));
}

/** The content of a successful completion body. */
export function replyContent(reply: RawReply): string {
  const parsed = JSON.parse(reply.text) as { choices: { message: { content: string } }[] };
  return parsed.choices[0]?.message.content ?? '';
}

export interface StreamedEvent {
  /** The `data:` payload as sent. */
  readonly data: string;
  /** When it arrived, in ms after the request was sent. */
  readonly atMs: number;
}

export interface RawStream {
  readonly status: number;
  readonly headers: Headers;
  readonly events: StreamedEvent[];
  /** Whether the server ended the response (false: the reader gave up on a silent stream). */
  readonly ended: boolean;
}

/**
 * A raw streaming POST, read event by event as a plain SSE client does. Stops reading when the
 * server ends the response or, when `silenceMs` is given, after that long without a byte.
 */
export async function postChatStream(
  emulator: Emulator,
  provider: ProviderType,
  body: Record<string, unknown>,
  options: { readonly silenceMs?: number } = {},
): Promise<RawStream> {
  const controller = new AbortController();
  const startedAt = performance.now();
  const response = await fetch(chatUrl(emulator, provider), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify({ ...body, stream: true }),
    signal: controller.signal,
  });
  const events: StreamedEvent[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<'silent'>((resolve) => {
      if (options.silenceMs !== undefined) timer = setTimeout(() => resolve('silent'), options.silenceMs);
    });
    const next = await Promise.race([reader.read(), silence]);
    clearTimeout(timer);
    if (next === 'silent') {
      controller.abort();
      break;
    }
    if (next.done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(next.value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data !== '') events.push({ data, atMs: performance.now() - startedAt });
      boundary = buffer.indexOf('\n\n');
    }
  }
  return { status: response.status, headers: response.headers, events, ended };
}
