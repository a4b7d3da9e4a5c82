import { ProviderError } from '../core/errors.js';
import type { FinishReason, ProviderName, Usage } from '../core/types.js';
import { mapFinishReason } from './map-finish-reason.js';
import type { ChunkCheck } from './read-chunk.js';

export interface NormalizedReply {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  readonly model?: string;
}

export interface AssemblyContext {
  readonly provider: ProviderName;
  /** Characters of the request's messages, to estimate input tokens when the provider reports none. */
  readonly promptCharacters: number;
}

/** The usual rule of thumb, and the emulator's: about four characters a token. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

function malformedReply(provider: ProviderName, detail: string): ProviderError {
  return new ProviderError(`${provider}: malformed reply: ${detail}`, { provider, kind: 'malformed' });
}

/**
 * Reads a streamed reply to its end: the text of every chunk, the last finish reason and the last
 * usage reported (Mistral and Together put it on the final chunk, OpenAI and TGI on an extra chunk
 * when asked with `stream_options.include_usage`). A stream that ends without a finish reason was
 * cut short (or was not a stream at all, e.g. an HTML page), and is a malformed reply to retry.
 */
export async function assembleReply<Chunk>(
  chunks: AsyncIterable<Chunk>,
  read: (chunk: Chunk) => ChunkCheck,
  context: AssemblyContext,
): Promise<NormalizedReply> {
  let text = '';
  let finishReason: string | undefined;
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let model: string | undefined;
  let count = 0;
  for await (const chunk of chunks) {
    count++;
    const checked = read(chunk);
    if (!checked.ok) throw malformedReply(context.provider, `chunk ${count}: ${checked.problem}`);
    const fields = checked.fields;
    text += fields.text;
    finishReason = fields.finishReason ?? finishReason;
    inputTokens = fields.inputTokens ?? inputTokens;
    outputTokens = fields.outputTokens ?? outputTokens;
    model ??= fields.model;
  }
  if (finishReason === undefined) {
    throw malformedReply(context.provider, `the stream ended without a finish reason after ${count} chunk${count === 1 ? '' : 's'}`);
  }
  const estimated = inputTokens === undefined || outputTokens === undefined;
  const usage: Usage = {
    inputTokens: inputTokens ?? estimateTokens(context.promptCharacters),
    outputTokens: outputTokens ?? estimateTokens(text.length),
    ...(estimated ? { estimated: true } : {}),
  };
  return { text, finishReason: mapFinishReason(finishReason), usage, model };
}
