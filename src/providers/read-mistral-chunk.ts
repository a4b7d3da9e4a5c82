import type { CompletionChunk } from '@mistralai/mistralai/models/components';
import type { ChunkCheck } from './read-chunk.js';

/**
 * Picks the fields out of a chunk the Mistral SDK hands back (`event.data`). The SDK has already
 * checked its shape with its own zod schema (`CompletionEvent$inboundSchema`, in `chat.stream`)
 * and throws on one that does not match, so checking it a second time would cost a schema parse per
 * chunk for nothing: the types here are what the SDK guarantees.
 */
export function readMistralChunk(chunk: CompletionChunk): ChunkCheck {
  const choice = chunk.choices[0];
  return {
    ok: true,
    fields: {
      text: contentText(choice?.delta.content),
      finishReason: choice?.finishReason,
      inputTokens: chunk.usage?.promptTokens,
      outputTokens: chunk.usage?.completionTokens,
      model: chunk.model,
    },
  };
}

type DeltaContent = NonNullable<CompletionChunk['choices'][number]>['delta']['content'];

/** A string, or typed parts of which only text parts carry reply text (thinking, images: none). */
function contentText(content: DeltaContent): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if ('text' in part && typeof part.text === 'string') text += part.text;
  return text;
}
