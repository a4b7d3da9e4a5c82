import type { ChatProvider, ProviderType } from '../core/types.js';
import type { ProviderConnection } from './provider-connection.js';

type Adapter = new (connection: ProviderConnection) => ChatProvider;

/**
 * Each adapter's module, imported only when that provider is used: the Mistral SDK alone is about
 * 1,300 modules (every model of its API, as zod schemas), a second or more of start-up and some
 * 70 MB of memory, and the openai SDK is only needed for an OpenAI-compatible server.
 */
const ADAPTER_MODULES: Readonly<Record<ProviderType, () => Promise<Adapter>>> = {
  mistral: async () => (await import('./mistral-provider.js')).MistralProvider,
  together: async () => (await import('./together-provider.js')).TogetherProvider,
  huggingface: async () => (await import('./huggingface-provider.js')).HuggingFaceProvider,
  openai_compatible: async () => (await import('./openai-compatible-provider.js')).OpenAiCompatibleProvider,
};

export type ProviderFactory = (name: ProviderType, connection: ProviderConnection) => ChatProvider;

/** What createProvider does, for the providers named only; the others' SDKs are never loaded. */
export interface AdapterLoading {
  /** Resolves once every named adapter's SDK is loaded; rejects when one cannot be (a broken install). */
  readonly ready: Promise<ProviderFactory>;
}

/**
 * Starts importing the named adapters at once, in parallel, so their modules are read while the
 * rest of start-up runs. A loading nobody waits for (the run stopped before it needed a provider)
 * is no unhandled rejection.
 */
export function loadAdapters(types: readonly ProviderType[]): AdapterLoading {
  const unique = [...new Set(types)];
  const ready = Promise.all(unique.map(async (name) => [name, await ADAPTER_MODULES[name]()] as const)).then((loaded) => {
    const adapters = new Map<ProviderType, Adapter>(loaded);
    return (name: ProviderType, connection: ProviderConnection): ChatProvider => {
      const adapter = adapters.get(name);
      if (adapter === undefined) throw new Error(`The ${name} adapter was not loaded: expected one of ${unique.join(', ')}; name it in loadAdapters.`);
      return new adapter(connection);
    };
  });
  ready.catch(() => undefined);
  return { ready };
}
