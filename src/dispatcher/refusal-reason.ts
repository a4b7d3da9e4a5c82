import { z } from 'zod';
import type { ProviderError } from '../core/errors.js';

/** Longest server message quoted in a reason; a body can be a whole HTML error page. */
export const SERVER_MESSAGE_LIMIT = 200;

const WHITESPACE = /\s+/g;

/**
 * Where servers put the human-readable message of an error body: OpenAI, Together and vLLM
 * `{"error": {"message"}}`, Hugging Face `{"error": "..."}`, Mistral `{"message"}`, FastAPI
 * `{"detail": "..."}` or `{"detail": [{"msg"}]}`. A field of another shape is ignored, not fatal.
 */
const errorBodySchema = z.object({
  error: z
    .union([z.string(), z.object({ message: z.string() }).transform((error) => error.message)])
    .optional()
    .catch(undefined),
  message: z.string().optional().catch(undefined),
  detail: z
    .union([
      z.string(),
      z
        .array(z.object({ msg: z.string() }))
        .min(1)
        .transform((details) => details.map((detail) => detail.msg).join('; ')),
    ])
    .optional()
    .catch(undefined),
});

/**
 * Why a provider is taken out after refusing `count` requests in a row, e.g. "5 requests in a row
 * refused with HTTP 404: model not found". The message comes from the body the adapter kept
 * (truncated, with the key already scrubbed out), or the error's own message without a body.
 */
export function describeRefusals(count: number, error: ProviderError): string {
  const message = serverMessage(error);
  const status = error.status === undefined ? '' : ` with HTTP ${error.status}`;
  return `${count} requests in a row refused${status}${message === '' ? '' : `: ${message}`}`;
}

function serverMessage(error: ProviderError): string {
  let text: string;
  if (error.body !== undefined) text = messageInBody(error.body) ?? error.body;
  // With a status, the adapter's message only repeats it ("together: HTTP 404").
  else text = error.status === undefined ? error.message : '';
  const flat = text.replace(WHITESPACE, ' ').trim();
  return flat.length > SERVER_MESSAGE_LIMIT ? `${flat.slice(0, SERVER_MESSAGE_LIMIT)}…` : flat;
}

function messageInBody(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Plain text, HTML, or JSON the adapter cut off at its length limit.
    return undefined;
  }
  const result = errorBodySchema.safeParse(parsed);
  if (!result.success) return undefined;
  const { error, message, detail } = result.data;
  const found = error ?? message ?? detail;
  return found === undefined || found.trim() === '' ? undefined : found;
}
