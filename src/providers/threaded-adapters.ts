import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ProviderError } from '../core/errors.js';
import { createRedactor } from '../core/redact.js';
import type { ChatProvider, ChatRequest, ChatResult, ProviderName, ProviderType } from '../core/types.js';
import { allLoaded, firstFailure, type AdapterLoading } from './load-adapters.js';
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
export function startProviderThreads(
  types: readonly ProviderType[],
  options: {
    /** Another thread entry speaking the same messages (tests: one that dies on demand). */
    readonly entry?: URL;
  } = {},
): AdapterLoading {
  const restarts: ((message: string) => void)[] = [];
  const onRestart = (message: string): void => {
    for (const listener of restarts) listener(message);
  };
  // A thread that cannot load, or keeps dying, is the run's failure, as a broken install is in-process.
  const failure = firstFailure();
  const threads = new Map(
    [...new Set(types)].map((type) => [type, new ProviderThread(type, { entry: options.entry, onRestart, onGivenUp: failure.fail })]),
  );
  for (const thread of threads.values()) thread.loaded.catch(failure.fail);
  return {
    deferred: (type, connection) => {
      const thread = threads.get(type);
      if (thread === undefined) throw new Error(`No ${type} provider thread was started: expected one of ${[...threads.keys()].join(', ')}; name it in startProviderThreads.`);
      return thread.open(connection);
    },
    loaded: allLoaded([...threads.values()].map((thread) => thread.loaded)),
    // Nothing to order: each SDK loads on its own thread, none holds the main one.
    loadSlowOnes: () => undefined,
    onFailure: failure.onFailure,
    onRestart: (listener) => restarts.push(listener),
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

/** Restarts of one type's thread within RESTART_WINDOW_MS; one more death and the run stops (onFailure). */
const MOST_RESTARTS = 3;
const RESTART_WINDOW_MS = 10 * 60_000;

interface ThreadOptions {
  readonly entry?: URL;
  readonly onRestart?: (message: string) => void;
  /** The thread died once more than MOST_RESTARTS allow: its providers cannot serve any more. */
  readonly onGivenUp: (error: Error) => void;
}

/**
 * One adapter type's worker thread and the requests it has been given. A thread that dies mid-run
 * (an exception an SDK threw outside any request, say) fails what it held as retryable server errors
 * and is started again with the same connections; a fourth death within ten minutes stops the run
 * (exit 1, as an SDK that cannot load) rather than leave its providers failing every request all night.
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
  #isLoaded = false;
  #stopped: string | undefined;
  #settleLoad: { resolve(): void; reject(error: unknown): void } | undefined;

  readonly #options: ThreadOptions;
  readonly #restartedAt: number[] = [];

  constructor(type: ProviderType, options: ThreadOptions) {
    this.type = type;
    this.#options = options;
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
    if (this.#stopped !== undefined) return Promise.reject(new ProviderError(`${name}: ${this.#stopped}`, { provider: name, kind: 'aborted' }));
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
      try {
        this.#post({ kind: 'request', id, instance, request: rest });
      } catch (error) {
        // A request that cannot be copied to the thread (a DataCloneError) never started.
        this.#pending.delete(id);
        forget();
        reject(error as Error);
        return;
      }
      this.#holdWhileBusy();
      if (signal?.aborted === true) onAbort();
    });
  }

  async close(): Promise<void> {
    this.#stopped ??= 'the run is over';
    this.#failPending(this.#stopped, 'aborted');
    await this.#worker.terminate();
  }

  #start(): Worker {
    const worker = startWorker(this.type, this.#options.entry);
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'loaded') {
        this.#isLoaded = true;
        this.#holdWhileBusy();
        this.#settleLoad?.resolve();
      } else if (message.kind === 'load-failed') {
        this.#died(worker, deserializeError(message.error));
      } else {
        this.#settle(message);
      }
    });
    worker.on('error', (error) => this.#died(worker, error));
    worker.on('exit', (code) => this.#died(worker, new Error(`it exited with code ${code}`)));
    this.#holdWhileBusy(worker);
    return worker;
  }

  /** The thread failed or exited: before its SDK ever loaded that is the run's failure; after, it starts again. */
  #died(worker: Worker, error: Error): void {
    if (worker !== this.#worker || this.#stopped !== undefined) return;
    // An SDK's crash message may quote a request, and so a key: scrub it before it names every later failure.
    const reason = `the ${this.type} provider thread stopped (${this.#redact(error.message)})`;
    this.#failPending(reason, 'server');
    void worker.terminate();
    if (!this.#isLoaded) {
      this.#stopped = reason;
      this.#settleLoad?.reject(error);
      return;
    }
    const now = performance.now();
    while (this.#restartedAt.length > 0 && now - this.#restartedAt[0]! > RESTART_WINDOW_MS) this.#restartedAt.shift();
    if (this.#restartedAt.length >= MOST_RESTARTS) {
      this.#stopped = `${reason}, the ${MOST_RESTARTS + 1}th time in ${RESTART_WINDOW_MS / 60_000} minutes`;
      this.#options.onGivenUp(new Error(`The ${this.type} provider thread keeps dying: ${this.#stopped}.`));
      return;
    }
    this.#restartedAt.push(now);
    this.#options.onRestart?.(`${reason}; started again (${this.#restartedAt.length} of ${MOST_RESTARTS} restarts in ${RESTART_WINDOW_MS / 60_000} minutes)`);
    this.#worker = this.#start();
    for (const [instance, connection] of this.#connections) this.#post({ kind: 'open', instance, connection });
  }

  #redact(text: string): string {
    return createRedactor([...this.#connections.values()].map((connection) => connection.apiKey))(text);
  }

  #settle(message: Extract<ThreadMessage, { kind: 'result' | 'failed' }>): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    this.#holdWhileBusy();
    if (message.kind === 'result') pending.resolve(message.result);
    else pending.reject(deserializeError(message.error));
  }

  /**
   * Every request the thread held fails: as a server error when the thread died (retried, elsewhere if
   * this provider cools down), as aborted when the run closed it.
   */
  #failPending(reason: string, kind: 'server' | 'aborted'): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(new ProviderError(`${pending.name}: ${reason}`, { provider: pending.name, kind }));
    }
    this.#holdWhileBusy();
  }

  /**
   * The thread holds the process open while its SDK loads (as a file being read would) or a request
   * is in flight (as its socket would in this thread); idle, it holds nothing. Called after every
   * change, and after a new worker's listeners are added (adding a 'message' listener refs it again).
   */
  #holdWhileBusy(worker: Worker = this.#worker): void {
    if (!this.#isLoaded || this.#pending.size > 0) worker.ref();
    else worker.unref();
  }

  #post(message: HostMessage): void {
    if (this.#stopped === undefined) this.#worker.postMessage(message);
  }
}

/**
 * The compiled entry beside this file; from the TypeScript sources (tests, `tsx`), the entry
 * through a bootstrap that registers tsx's loader in the thread first; or `entry` when given.
 */
function startWorker(type: ProviderType, entry?: URL): Worker {
  const data: ProviderThreadData = { type };
  // None of the process's own Node options: a thread inherits them, and some refuse a file entry
  // (`--input-type`, given with `-e`). V8's heap flags are the process's and apply to the thread anyway.
  const options = { name: threadName(type), execArgv: [] };
  if (entry !== undefined) return new Worker(entry, { ...options, workerData: data });
  if (!import.meta.url.endsWith('.ts')) {
    const compiled = new URL('./provider-thread.js', import.meta.url);
    if (!existsSync(fileURLToPath(compiled))) throw new Error(`${fileURLToPath(compiled)} is missing: run \`npm run build\`.`);
    return new Worker(compiled, { ...options, workerData: data });
  }
  const source = new URL('./provider-thread.ts', import.meta.url);
  return new Worker(new URL('./provider-thread-from-source.mjs', import.meta.url), { ...options, workerData: { ...data, entry: source.href } });
}
