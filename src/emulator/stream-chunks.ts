import type { ProviderType } from '../core/types.js';

/** One finished reply, as the stream delivers it piece by piece. */
export interface StreamedReply {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly pieces: readonly string[];
  readonly finishReason: 'stop' | 'length';
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** `stream_options.include_usage` was set. */
  readonly includeUsage: boolean;
}

/** How each provider shapes its `chat.completion.chunk` events (specs in test/fixtures/streams). */
interface StreamFormat {
  /** Together and TGI repeat `role` in every delta (their schemas require it). */
  readonly roleInEveryDelta: boolean;
  /** Where usage goes: on the finishing chunk always (Mistral, Together), or on an extra chunk with no choices when asked (OpenAI, TGI). */
  readonly usage: 'finishing-chunk' | 'extra-chunk-when-asked';
  /** Chunks without usage say `usage: null` (Together always; OpenAI and TGI when usage was asked). Mistral's SDK refuses a null there. */
  readonly nullUsage: 'always' | 'when-asked' | 'never';
  /** TGI's schema requires `system_fingerprint`; OpenAI sends one too. */
  readonly systemFingerprint: boolean;
}

const FORMATS: Readonly<Record<ProviderType, StreamFormat>> = {
  mistral: { roleInEveryDelta: false, usage: 'finishing-chunk', nullUsage: 'never', systemFingerprint: false },
  together: { roleInEveryDelta: true, usage: 'finishing-chunk', nullUsage: 'always', systemFingerprint: false },
  huggingface: { roleInEveryDelta: true, usage: 'extra-chunk-when-asked', nullUsage: 'when-asked', systemFingerprint: true },
  openai_compatible: { roleInEveryDelta: false, usage: 'extra-chunk-when-asked', nullUsage: 'when-asked', systemFingerprint: true },
};

/** The server-sent events of one streamed reply, grouped by when they are sent. */
export interface EventStream {
  /** One group per piece of the text; the first opens with the role, as every provider's first chunk does. */
  readonly groups: readonly string[];
  /**
   * The finishing chunk, the usage and `data: [DONE]`, sent with the last group. Kept apart so a
   * fault can cut the stream before its end even when the whole text fits in one group.
   */
  readonly closing: string;
}

/** The events of `reply` in `provider`'s chunk shape, with usage where that provider puts it. */
export function streamEventGroups(provider: ProviderType, reply: StreamedReply): EventStream {
  const format = FORMATS[provider];
  const head = { id: reply.id, object: 'chat.completion.chunk', created: reply.created, model: reply.model };
  const fingerprint = format.systemFingerprint ? { system_fingerprint: 'nightshift-emulator' } : {};
  const nullUsage = format.nullUsage === 'always' || (format.nullUsage === 'when-asked' && reply.includeUsage) ? { usage: null } : {};
  const usage = { prompt_tokens: reply.inputTokens, completion_tokens: reply.outputTokens, total_tokens: reply.inputTokens + reply.outputTokens };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = nullUsage): string =>
    event({ ...head, ...fingerprint, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra });
  const content = (text: string): Record<string, unknown> => (format.roleInEveryDelta ? { role: 'assistant', content: text } : { content: text });

  const pieces = reply.pieces.length > 0 ? reply.pieces : [''];
  const groups = pieces.map((piece) => chunk(content(piece), null));
  groups[0] = chunk({ role: 'assistant', content: '' }, null) + groups[0];
  let closing = chunk(content(''), reply.finishReason, format.usage === 'finishing-chunk' ? { usage } : nullUsage);
  if (format.usage === 'extra-chunk-when-asked' && reply.includeUsage) closing += event({ ...head, ...fingerprint, choices: [], usage });
  return { groups, closing: `${closing}data: [DONE]\n\n` };
}

function event(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Cuts a reply into pieces of about `size` characters, the way servers stream a few tokens per
 * event. Never between the two halves of a surrogate pair.
 */
export function splitReply(text: string, size: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
