import type { ChatProvider, ChatRequest, ChatResult, ProviderName, ProviderType } from '../core/types.js';
import type { ProviderConnection } from './provider-connection.js';

type Adapter = new (connection: ProviderConnection) => ChatProvider;

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

/**
 * SDKs that take seconds to load. Loaded beside a light one, they hold it back: Node's module loader
 * interleaves the two graphs' file reads, so Together's 0.1 s import ended with Mistral's (measured
 * 5.2 s for both at once on a loaded 2-core machine, against 0.5 s for Together alone).
 */
const SLOW_TO_LOAD: ReadonlySet<ProviderType> = new Set(['mistral']);

export type ProviderFactory = (name: ProviderType, connection: ProviderConnection) => ChatProvider;

/** What createProvider does, for the providers named only; the others' SDKs are never loaded. */
export interface AdapterLoading {
  /** Every named adapter, loading the slow ones now too; rejects when one cannot be loaded (a broken install). */
  readonly ready: Promise<ProviderFactory>;
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
}

/**
 * Starts importing the named adapters whose SDK loads fast at once, in parallel, so their modules
 * are read while the rest of start-up runs; the slow ones wait for `loadSlowOnes()` (or `ready`),
 * unless no fast one is named. A loading nobody waits for is no unhandled rejection.
 */
export function loadAdapters(types: readonly ProviderType[]): AdapterLoading {
  const unique = [...new Set(types)];
  const fast = unique.filter((name) => !SLOW_TO_LOAD.has(name));
  const loading = new Map<ProviderType, Promise<Adapter>>(fast.map((name) => [name, ADAPTER_MODULES[name]()]));
  let startSlow: () => void = () => undefined;
  const slowMayStart = fast.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => (startSlow = resolve));
  for (const name of unique.filter((name) => SLOW_TO_LOAD.has(name))) loading.set(name, slowMayStart.then(ADAPTER_MODULES[name]));
  const failures: ((error: unknown) => void)[] = [];
  let failed: { readonly error: unknown } | undefined;
  for (const adapter of loading.values()) {
    adapter.catch((error: unknown) => {
      if (failed !== undefined) return;
      failed = { error };
      for (const listener of failures) listener(error);
    });
  }
  const notLoaded = (name: ProviderType): Error =>
    new Error(`The ${name} adapter was not loaded: expected one of ${unique.join(', ')}; name it in loadAdapters.`);
  let ready: Promise<ProviderFactory> | undefined;
  return {
    get ready() {
      startSlow();
      ready ??= Promise.all(unique.map(async (name) => [name, await loading.get(name)!] as const)).then((loaded) => {
        const adapters = new Map<ProviderType, Adapter>(loaded);
        return (name: ProviderType, connection: ProviderConnection): ChatProvider => {
          const adapter = adapters.get(name);
          if (adapter === undefined) throw notLoaded(name);
          return new adapter(connection);
        };
      });
      return ready;
    },
    deferred: (name, connection) => {
      const adapter = loading.get(name);
      if (adapter === undefined) throw notLoaded(name);
      return new DeferredProvider(connection.name ?? name, adapter, connection);
    },
    loaded: Promise.all(loading.values()).then(
      () => undefined,
      () => new Promise<void>(() => undefined),
    ),
    loadSlowOnes: () => startSlow(),
    onFailure: (listener) => {
      if (failed !== undefined) listener(failed.error);
      else failures.push(listener);
    },
  };
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
