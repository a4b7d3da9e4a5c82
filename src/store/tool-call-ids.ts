/**
 * Tool-call ids every major chat template accepts: exactly 9 ASCII letters and digits (Mistral's
 * templates raise on anything else; OpenAI and Qwen take any string). Derived from the conversation
 * id and the call's position, so re-running an export gives the same ids, and unique per example.
 */
import { createHash } from 'node:crypto';

export const TOOL_CALL_ID_LENGTH = 9;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function idFrom(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  // 9 of the digest's 32 bytes; the modulo bias (256 is not a multiple of 62) does not matter for ids.
  for (let index = 0; index < TOOL_CALL_ID_LENGTH; index++) id += ALPHABET[(digest[index] as number) % ALPHABET.length];
  return id;
}

/** Hands out the ids of one example's calls in order; a collision (1 in ~10^16) takes the next seed. */
export function createToolCallIds(conversationId: string): () => string {
  const used = new Set<string>();
  let ordinal = 0;
  return () => {
    for (;;) {
      const id = idFrom(`${conversationId}\u0000${ordinal++}`);
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}
