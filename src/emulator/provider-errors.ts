import type { ProviderType } from '../core/types.js';

/**
 * The reasons the emulator answers with an error; each provider names them its own way.
 * `rate_limit` is a 429 saying the client went over its rate; `capacity` is a 429 saying the
 * server is busy (Mistral's "service tier capacity exceeded", OpenAI's "model overloaded", TGI's
 * full queue), which says nothing about the client's pace.
 */
export type ErrorKind = 'auth' | 'rate_limit' | 'capacity' | 'server' | 'overloaded' | 'bad_request' | 'not_found';

export interface ProviderErrorResponse {
  readonly status: number;
  readonly body: string;
}

export const ERROR_STATUS: Readonly<Record<ErrorKind, number>> = {
  auth: 401,
  rate_limit: 429,
  capacity: 429,
  server: 500,
  overloaded: 503,
  bad_request: 400,
  not_found: 404,
};

const DEFAULT_MESSAGES: Readonly<Record<ErrorKind, string>> = {
  auth: 'Invalid API key provided. Check the key and try again.',
  rate_limit: 'Rate limit exceeded: too many requests. Please retry after the delay in the Retry-After header.',
  capacity: 'The model is overloaded with other requests. Please retry after the delay in the Retry-After header.',
  server: 'The server had an error while processing your request.',
  overloaded: 'The model is overloaded. Please try again later.',
  bad_request: 'Invalid request.',
  not_found: 'Not found.',
};

/** OpenAI's `type`/`code` pairs, which Together and OpenAI-compatible servers copy. */
const OPENAI_TYPES: Readonly<Record<ErrorKind, readonly [string, string | null]>> = {
  auth: ['invalid_request_error', 'invalid_api_key'],
  rate_limit: ['rate_limit_exceeded', 'rate_limit_exceeded'],
  capacity: ['server_error', 'model_overloaded'],
  server: ['server_error', null],
  overloaded: ['server_error', 'service_unavailable'],
  bad_request: ['invalid_request_error', null],
  not_found: ['invalid_request_error', 'not_found'],
};

/** Mistral's `type`/`code` pairs; 3230 is its message-order error. */
const MISTRAL_TYPES: Readonly<Record<ErrorKind, readonly [string, string | null]>> = {
  auth: ['unauthorized', '1000'],
  rate_limit: ['rate_limited', '1300'],
  capacity: ['service_tier_capacity_exceeded', '3505'],
  server: ['internal_server_error', '3000'],
  overloaded: ['service_tier_capacity_exceeded', '3505'],
  bad_request: ['invalid_request_message_order', '3230'],
  not_found: ['not_found', null],
};

/** Text Generation Inference's `error_type` values (docs/openapi.json ErrorResponse). */
const TGI_TYPES: Readonly<Record<ErrorKind, string>> = {
  auth: 'authentication',
  // TGI itself has no rate limiter; the Hugging Face router in front of it says so in words.
  rate_limit: 'rate_limit',
  capacity: 'overloaded',
  server: 'generation',
  overloaded: 'overloaded',
  bad_request: 'template_error',
  not_found: 'not_found',
};

/**
 * The error body each real API sends, so every SDK parses its own error:
 * OpenAI/Together `{"error": {message, type, param, code}}`, Mistral
 * `{"object": "error", message, type, param, code}`, HF/TGI `{"error", "error_type"}`.
 */
export function providerErrorResponse(
  provider: ProviderType,
  kind: ErrorKind,
  message: string = DEFAULT_MESSAGES[kind],
): ProviderErrorResponse {
  const status = ERROR_STATUS[kind];
  switch (provider) {
    case 'mistral': {
      const [type, code] = MISTRAL_TYPES[kind];
      return { status, body: JSON.stringify({ object: 'error', message, type, param: null, code }) };
    }
    case 'huggingface':
      return { status, body: JSON.stringify({ error: message, error_type: TGI_TYPES[kind] }) };
    case 'together':
    case 'openai_compatible': {
      const [type, code] = OPENAI_TYPES[kind];
      return { status, body: JSON.stringify({ error: { message, type, param: null, code } }) };
    }
  }
}
