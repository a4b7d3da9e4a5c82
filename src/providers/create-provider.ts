import type { ChatProvider, ProviderName } from '../core/types.js';
import { HuggingFaceProvider } from './huggingface-provider.js';
import { MistralProvider } from './mistral-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { TogetherProvider } from './together-provider.js';

const ADAPTERS: Readonly<Record<ProviderName, new (connection: ProviderConnection) => ChatProvider>> = {
  mistral: MistralProvider,
  together: TogetherProvider,
  huggingface: HuggingFaceProvider,
  openai_compatible: OpenAiCompatibleProvider,
};

/**
 * Any adapter, all four SDKs imported up front: for tests and tools. The daemon uses loadAdapters,
 * which imports only the SDKs of the providers a run uses.
 */
export function createProvider(name: ProviderName, connection: ProviderConnection): ChatProvider {
  return new ADAPTERS[name](connection);
}

export type { ProviderConnection };
