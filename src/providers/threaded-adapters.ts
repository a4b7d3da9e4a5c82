import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ProviderError } from '../core/errors.js';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName, ProviderType } from '../core/types.js';
import type { AdapterLoading } from './load-adapters.js';
import type { ProviderConnection } from './provider-connection.js';
import {
  deserializeError,
  threadName,
  type HostMessage,
  type ProviderThreadData,
  type ThreadConnection,
  type ThreadMessage,
} from './provider-thread-protocol.js';

/**
 * Each configured adapter type in a worker thread of its own (`provider-thread.ts`), behind the same
 * AdapterLoading the in-process loader offers: the SDKs load beside start-up instead of blocking it,
 * and their CPU per request (about 6–9 ms a streamed reply, most of a conversation's) is spread over
 * the machine's cores instead of queueing behind the conversations on the main thread.
 */
export function startProviderThreads(types: readonly ProviderType[]): AdapterLoading {
  const threads = new Map([...new Set(types)].map((type) => [type, new ProviderThread(type)]));
  const failures: ((error: unknown) => void)[] = [];
  let failed: { readonly error: unknown } | undefined;
  for (const thread of threads.values()) {
    thread.loaded.catch((error: unknown) => {
      if (failed !== undefined) return;
      failed = { error };
      for (const listener of failures) listener(error);
    });
  }
  return {
    deferred: (type, connection) => {
      const thread = threads.get(type);
      if (thread === undefined) throw new Error(`No ${type} provider thread was started: expected one of ${[...threads.keys()].join(', ')}; name it in startProviderThreads.`);
      return thread.open(connection);
    },
    loaded: Promise.all([...threads.values()].map((thread) => thread.loaded)).then(
      () => undefined,
      () => new Promise<void>(() => undefined),
    ),
    // Nothing to order: each SDK loads on its own thread, none holds the main one.
    loadSlowOnes: () => undefined,
    onFailure: (listener) => {
      if (failed !== undefined) listener(failed.error);
      else failures.push(listener);
    },
    threaded: true,
    close: async () => {
      await Promise.all([...threads.values()].map((thread) => thread.close()));
    },
  };
}

interface Pending {
  readonly resolve: (result: ChatResult) => void;
  readonly reject: (error: Error) => void;
  readonly instance: ProviderName;
}

/** One worker thread and the requests it has been given. */
class ProviderThread {
  readonly type: ProviderType;
  readonly loaded: Promise<void>;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #stopped: string | undefined;

  constructor(type: ProviderType) {
    this.type = type;
    this.#worker = startWorker(type);
    // Idle, the thread holds nothing open; a request in flight holds the process (see #hold).
    this.#worker.unref();
    let loaded!: () => void;
    let loadFailed!: (error: unknown) => void;
    this.loaded = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      loadFailed = reject;
    });
    this.loaded.catch(() => undefined);
    this.#worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'loaded') loaded();
      else if (message.kind === 'load-failed') loadFailed(deserializeError(message.error));
      else this.#settle(message);
    });
    this.#worker.on('error', (error) => {
      loadFailed(error);
      this.#stop(`the ${type} provider thread failed: ${error.message}`);
    });
    this.#worker.on('exit', (code) => {
      loadFailed(new Error(`The ${type} provider thread exited with code ${code} before its SDK loaded.`));
      this.#stop(`the ${type} provider thread exited with code ${code}`);
    });
  }

  open(connection: ProviderConnection): ChatProvider {
    const instance = connection.name ?? this.type;
    const threadConnection: ThreadConnection = { name: instance, apiKey: connection.apiKey, baseUrl: connection.baseUrl };
    this.#post({ kind: 'open', instance, connection: threadConnection });
    return { name: instance, ready: this.loaded, complete: (request) => this.complete(instance, request) };
  }

  complete(instance: ProviderName, request: ChatRequest): Promise<ChatResult> {
    if (this.#stopped !== undefined) return Promise.reject(new ProviderError(`${instance}: ${this.#stopped}`, { provider: instance, kind: 'server' }));
    const { signal, ...rest } = request;
    const id = this.#nextId++;
    return new Promise<ChatResult>((resolve, reject) => {
      const onAbort = (): void => this.#post({ kind: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const forget = (): void => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        instance,
        resolve: (result) => (forget(), resolve(result)),
        reject: (error) => (forget(), reject(error)),
      });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#post({ kind: 'request', id, instance, request: rest });
      if (signal?.aborted === true) onAbort();
    });
  }

  async close(): Promise<void> {
    this.#stop('the run is over');
    await this.#worker.terminate();
  }

  #settle(message: Extract<ThreadMessage, { kind: 'result' | 'failed' }>): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (message.kind === 'result') pending.resolve(message.result);
    else pending.reject(deserializeError(message.error));
  }

  /** The thread is gone: every request it held fails as a server error would, to be retried elsewhere. */
  #stop(reason: string): void {
    this.#stopped ??= reason;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(new ProviderError(`${pending.instance}: ${reason}`, { provider: pending.instance, kind: 'server' }));
    }
    this.#worker.unref();
  }

  #post(message: HostMessage): void {
    if (this.#stopped === undefined) this.#worker.postMessage(message);
  }
}

/**
 * The compiled entry beside this file; from the TypeScript sources (tests, `tsx`), the entry
 * through a bootstrap that registers tsx's loader in the thread first.
 */
function startWorker(type: ProviderType): Worker {
  const data: ProviderThreadData = { type };
  const compiled = new URL('./provider-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: data, name: threadName(type) });
  const source = new URL('./provider-thread.ts', import.meta.url);
  return new Worker(new URL('./provider-thread-from-source.mjs', import.meta.url), {
    workerData: { ...data, entry: source.href },
    name: threadName(type),
  });
}
