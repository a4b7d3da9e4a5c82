import { ProviderError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ProviderType } from '../core/types.js';
import type { ProviderConnection } from './provider-connection.js';

/** What a provider thread is started with: its adapter's type, nothing else (keys come with `open`). */
export interface ProviderThreadData {
  readonly type: ProviderType;
}

/** A request as it crosses to the thread: everything but the signal, which travels as `abort`. */
export type ThreadRequest = Omit<ChatRequest, 'signal'>;

/** The connection of one instance, without what cannot cross a thread (functions). */
export type ThreadConnection = Pick<ProviderConnection, 'name' | 'apiKey' | 'baseUrl'>;

/** `instance` is the host's number for one opened connection (two may share a name in tests, never in a run). */
export type HostMessage =
  | { readonly kind: 'open'; readonly instance: number; readonly connection: ThreadConnection }
  | { readonly kind: 'request'; readonly id: number; readonly instance: number; readonly request: ThreadRequest }
  | { readonly kind: 'abort'; readonly id: number };

export type ThreadMessage =
  | { readonly kind: 'loaded' }
  | { readonly kind: 'load-failed'; readonly error: SerializedError }
  | { readonly kind: 'result'; readonly id: number; readonly result: ChatResult }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

/**
 * An error as it crosses back: a ProviderError keeps every field the dispatcher reads; its cause
 * (an SDK's error object, already scrubbed of the key) keeps its name and message, which is what
 * the log and the rejects file show of it.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly provider?: Pick<ProviderError, 'provider' | 'kind' | 'status' | 'retryAfterMs' | 'body' | 'rateLimit'>;
  readonly cause?: { readonly name: string; readonly message: string };
}

export function serializeError(error: unknown): SerializedError {
  const original = error instanceof Error ? error : new Error(String(error));
  const cause = original.cause instanceof Error ? { name: original.cause.name, message: original.cause.message } : undefined;
  if (!(original instanceof ProviderError)) return { name: original.name, message: original.message, stack: original.stack, cause };
  const { provider, kind, status, retryAfterMs, body, rateLimit } = original;
  return { name: original.name, message: original.message, stack: original.stack, provider: { provider, kind, status, retryAfterMs, body, rateLimit }, cause };
}

/** The error the thread threw, rebuilt on this side: a ProviderError stays one, with its kind and retry delay. */
export function deserializeError(serialized: SerializedError): Error {
  const cause = serialized.cause === undefined ? undefined : Object.assign(new Error(serialized.cause.message), { name: serialized.cause.name });
  const error =
    serialized.provider === undefined
      ? new Error(serialized.message, { cause })
      : new ProviderError(serialized.message, { ...serialized.provider, cause });
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/** The thread's own name, for `top -H` and heap snapshots. */
export function threadName(type: ProviderType): string {
  return `nightshift ${type} provider`;
}

