import type { Emulator } from '../../src/emulator/index.js';
import type { ProviderName } from '../../src/core/types.js';

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
export function chatUrl(emulator: Emulator, provider: ProviderName): string {
  const base = emulator.baseUrls[provider];
  return provider === 'mistral' || provider === 'huggingface' ? `${base}/v1/chat/completions` : `${base}/chat/completions`;
}

/** A raw POST, for what SDKs hide: status, headers and the exact body. */
export async function postChat(
  emulator: Emulator,
  provider: ProviderName,
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
