import type { ChatProvider, ChatRequest, ChatResult, ProviderName, ProviderType } from '../core/types.js';
import type { ProviderConnection } from './provider-connection.js';

export type Adapter = new (connection: ProviderConnection) => ChatProvider;

/**
 * Each adapter's module, imported only when that provider is used: the Mistral SDK alone is about
 * 1,200 modules (every model of its API, as zod schemas), a second or more of start-up and some
 * 70 MB of memory, and the openai SDK is only needed for an OpenAI-compatible server.
 */
const ADAPTER_MODULES: Readonly<Record<ProviderType, () => Promise<Adapter>>> = {
  mistral: async () => (await import('./mistral-provider.js')).MistralProvider,
  together: async () => (await import('./together-provider.js')).TogetherProvider,
  huggingface: async () => (await import('./huggingface-provider.js')).HuggingFaceProvider,
  openai_compatible: async () => (await import('./openai-compatible-provider.js')).OpenAiCompatibleProvider,
};

/** Imports the adapter of one type (its SDK with it): what a provider thread loads. */
export function importAdapter(type: ProviderType): Promise<Adapter> {
  return ADAPTER_MODULES[type]();
}

/**
 * The SDKs in the order they are loaded, one after the other, fastest first (CPU to import each on
 * the 2-core machine: Together 0.08 s, openai 0.16 s, Hugging Face 0.17 s, Mistral 1.4 s): two
 * graphs loaded at once interleave their file reads in Node's module loader and both end with the
 * slower one (Together's 0.1 s import took 5.2 s beside Mistral's on a loaded machine, 0.5 s alone),
 * so one at a time lets the fastest provider send first.
 */
const LOAD_ORDER: readonly ProviderType[] = ['together', 'openai_compatible', 'huggingface', 'mistral'];

/** SDKs that take seconds to load: they wait for `loadSlowOnes()`, so the first requests go out first. */
const SLOW_TO_LOAD: ReadonlySet<ProviderType> = new Set(['mistral']);

export type ProviderFactory = (name: ProviderType, connection: ProviderConnection) => ChatProvider;

/** What createProvider does, for the providers named only; the others' SDKs are never loaded. */
export interface AdapterLoading {
  /**
   * An adapter to use at once: its `ready` resolves when its own SDK has loaded, and a request it
   * is given before waits for that, so a run starts on the providers whose SDK loads fast.
   */
  readonly deferred: ProviderFactory;
  /** Resolves once every named adapter has loaded (without starting the slow ones); never, if one cannot be (onFailure says so). */
  readonly loaded: Promise<void>;
  /** Starts loading the slow SDKs (call it once the first requests are on their way); once is enough. */
  loadSlowOnes(): void;
  /** Calls `listener` with the error of the first adapter that cannot be loaded. */
  onFailure(listener: (error: unknown) => void): void;
  /** Calls `listener` with a sentence for the log each time a provider thread died and was started again (never in-process). */
  onRestart(listener: (message: string) => void): void;
  /** Lets go of what the adapters hold (their threads); requests still in flight fail. */
  close(): Promise<void>;
}

/**
 * Starts importing the named adapters at once, one after the other in LOAD_ORDER, so their modules
 * are read while the rest of start-up runs; the slow ones wait for `loadSlowOnes()`
 * too, unless no fast one is named. A loading nobody waits for is no unhandled rejection.
 */
export function loadAdapters(types: readonly ProviderType[]): AdapterLoading {
  const unique = [...new Set(types)];
  const fast = unique.some((name) => !SLOW_TO_LOAD.has(name));
  let startSlow: () => void = () => undefined;
  const slowMayStart = fast ? new Promise<void>((resolve) => (startSlow = resolve)) : Promise.resolve();
  const loading = new Map<ProviderType, Promise<Adapter>>();
  let previous: Promise<unknown> = Promise.resolve();
  for (const name of LOAD_ORDER.filter((type) => unique.includes(type))) {
    const after = SLOW_TO_LOAD.has(name) ? Promise.all([previous, slowMayStart]) : previous;
    const adapter = after.then(ADAPTER_MODULES[name], ADAPTER_MODULES[name]);
    loading.set(name, adapter);
    previous = adapter;
  }
  const failure = firstFailure();
  for (const adapter of loading.values()) adapter.catch(failure.fail);
  const notLoaded = (name: ProviderType): Error =>
    new Error(`The ${name} adapter was not loaded: expected one of ${unique.join(', ')}; name it in loadAdapters.`);
  return {
    deferred: (name, connection) => {
      const adapter = loading.get(name);
      if (adapter === undefined) throw notLoaded(name);
      return new DeferredProvider(connection.name ?? name, adapter, connection);
    },
    loaded: allLoaded(loading.values()),
    loadSlowOnes: () => startSlow(),
    onRestart: () => undefined,
    close: async () => undefined,
    onFailure: failure.onFailure,
  };
}

/** The first failure of a loading, told once to every listener, those that come later included (AdapterLoading.onFailure). */
export function firstFailure(): { fail(error: unknown): void; onFailure(listener: (error: unknown) => void): void } {
  const listeners: ((error: unknown) => void)[] = [];
  let failed: { readonly error: unknown } | undefined;
  return {
    fail: (error) => {
      if (failed !== undefined) return;
      failed = { error };
      for (const listener of listeners) listener(error);
    },
    onFailure: (listener) => {
      if (failed !== undefined) listener(failed.error);
      else listeners.push(listener);
    },
  };
}

/** Resolves once every loading has; never when one fails (onFailure says so). */
export function allLoaded(loadings: Iterable<Promise<unknown>>): Promise<void> {
  return Promise.all(loadings).then(
    () => undefined,
    () => new Promise<void>(() => undefined),
  );
}

/** An adapter whose SDK is still loading: requests wait for it, then go to the real adapter. */
class DeferredProvider implements ChatProvider {
  readonly name: ProviderName;
  readonly ready: Promise<void>;
  readonly #adapter: Promise<ChatProvider>;
  #loaded: ChatProvider | undefined;

  constructor(name: ProviderName, adapter: Promise<Adapter>, connection: ProviderConnection) {
    this.name = name;
    this.#adapter = adapter.then((loaded) => (this.#loaded = new loaded(connection)));
    this.ready = this.#adapter.then(() => undefined);
    this.ready.catch(() => undefined);
  }

  complete(request: ChatRequest): Promise<ChatResult> {
    return this.#loaded?.complete(request) ?? this.#adapter.then((adapter) => adapter.complete(request));
  }
}
