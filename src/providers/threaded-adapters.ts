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
export function startProviderThreads(types: readonly ProviderType[], options: { readonly entry?: URL } = {}): AdapterLoading {
  const threads = new Map([...new Set(types)].map((type) => [type, new ProviderThread(type, options.entry)]));
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
  /** The instance's name, for the error when the thread is gone. */
  readonly name: ProviderName;
}

/** Restarts of one type's thread after it died mid-run; past them its provider fails every request. */
const MOST_RESTARTS = 3;

/**
 * One adapter type's worker thread and the requests it has been given. A thread that dies mid-run
 * (an exception an SDK threw outside any request, say) fails what it held as retryable server errors
 * and is started again with the same connections, up to MOST_RESTARTS times.
 */
class ProviderThread {
  readonly type: ProviderType;
  /** The first load of the SDK; a failure here is the run's (onFailure), as a broken install in-process. */
  readonly loaded: Promise<void>;
  #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #connections = new Map<number, ThreadConnection>();
  #nextId = 1;
  #nextInstance = 1;
  #restarts = 0;
  #isLoaded = false;
  #stopped: string | undefined;
  #settleLoad: { resolve(): void; reject(error: unknown): void } | undefined;

  readonly #entry: URL | undefined;

  /** `entry`: another thread entry speaking the same messages (tests: one that dies on demand). */
  constructor(type: ProviderType, entry?: URL) {
    this.type = type;
    this.#entry = entry;
    this.loaded = new Promise<void>((resolve, reject) => (this.#settleLoad = { resolve, reject }));
    this.loaded.catch(() => undefined);
    this.#worker = this.#start();
  }

  open(connection: ProviderConnection): ChatProvider {
    // Functions cannot cross to the thread; dropping them quietly would leave a caller waiting on calls that never come.
    if (connection.onResponse !== undefined || connection.now !== undefined) {
      throw new Error('A provider thread takes a name, a key and a base URL only: onResponse and now need the adapter in this thread (loadAdapters).');
    }
    const name = connection.name ?? this.type;
    const instance = this.#nextInstance++;
    const threadConnection: ThreadConnection = { name, apiKey: connection.apiKey, baseUrl: connection.baseUrl };
    this.#connections.set(instance, threadConnection);
    this.#post({ kind: 'open', instance, connection: threadConnection });
    return { name, ready: this.loaded, complete: (request) => this.complete(instance, name, request) };
  }

  complete(instance: number, name: ProviderName, request: ChatRequest): Promise<ChatResult> {
    if (this.#stopped !== undefined) return Promise.reject(new ProviderError(`${name}: ${this.#stopped}`, { provider: name, kind: 'server' }));
    const { signal, ...rest } = request;
    const id = this.#nextId++;
    return new Promise<ChatResult>((resolve, reject) => {
      const onAbort = (): void => this.#post({ kind: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const forget = (): void => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        name,
        resolve: (result) => (forget(), resolve(result)),
        reject: (error) => (forget(), reject(error)),
      });
      // A request in flight holds the process open, as its socket would in this thread; idle, the thread holds nothing.
      if (this.#pending.size === 1) this.#worker.ref();
      this.#post({ kind: 'request', id, instance, request: rest });
      if (signal?.aborted === true) onAbort();
    });
  }

  async close(): Promise<void> {
    this.#stopped ??= 'the run is over';
    this.#failPending(this.#stopped);
    await this.#worker.terminate();
  }

  #start(): Worker {
    const worker = this.#entry === undefined ? startWorker(this.type) : new Worker(this.#entry, { workerData: { type: this.type }, execArgv: [] });
    worker.unref();
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'loaded') {
        this.#isLoaded = true;
        this.#settleLoad?.resolve();
      } else if (message.kind === 'load-failed') {
        this.#died(worker, deserializeError(message.error));
      } else {
        this.#settle(message);
      }
    });
    worker.on('error', (error) => this.#died(worker, error));
    worker.on('exit', (code) => this.#died(worker, new Error(`it exited with code ${code}`)));
    return worker;
  }

  /** The thread failed or exited: before its SDK ever loaded that is the run's failure; after, it starts again. */
  #died(worker: Worker, error: Error): void {
    if (worker !== this.#worker || this.#stopped !== undefined) return;
    const reason = `the ${this.type} provider thread stopped (${error.message})`;
    this.#failPending(reason);
    void worker.terminate();
    if (!this.#isLoaded) {
      this.#stopped = reason;
      this.#settleLoad?.reject(error);
      return;
    }
    if (this.#restarts >= MOST_RESTARTS) {
      this.#stopped = `${reason}, ${MOST_RESTARTS} restarts already`;
      return;
    }
    this.#restarts += 1;
    this.#worker = this.#start();
    for (const [instance, connection] of this.#connections) this.#post({ kind: 'open', instance, connection });
  }

  #settle(message: Extract<ThreadMessage, { kind: 'result' | 'failed' }>): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (message.kind === 'result') pending.resolve(message.result);
    else pending.reject(deserializeError(message.error));
  }

  /** Every request the thread held fails as a server error would, to be retried (elsewhere, if this provider cools down). */
  #failPending(reason: string): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(new ProviderError(`${pending.name}: ${reason}`, { provider: pending.name, kind: 'server' }));
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
  // None of the process's own Node options: a thread inherits them, and some refuse a file entry
  // (`--input-type`, given with `-e`). V8's heap flags are the process's and apply to the thread anyway.
  const options = { name: threadName(type), execArgv: [] };
  const compiled = new URL('./provider-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { ...options, workerData: data });
  const source = new URL('./provider-thread.ts', import.meta.url);
  return new Worker(new URL('./provider-thread-from-source.mjs', import.meta.url), { ...options, workerData: { ...data, entry: source.href } });
}
