import type { FinishReason } from '../core/types.js';

/** Providers spell finish reasons differently (`eos_token`, `model_length`, `tool_calls` …). */
export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'eos':
    case 'eos_token':
    case 'stop_sequence':
      return 'stop';
    case 'length':
    case 'model_length':
    case 'max_tokens':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'error':
      return 'error';
    default:
      return 'unknown';
  }
}
