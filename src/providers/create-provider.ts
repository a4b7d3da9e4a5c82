import type { ChatProvider, ProviderType } from '../core/types.js';
import { HuggingFaceProvider } from './huggingface-provider.js';
import { MistralProvider } from './mistral-provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible-provider.js';
import type { ProviderConnection } from './provider-connection.js';
import { TogetherProvider } from './together-provider.js';

const ADAPTERS: Readonly<Record<ProviderType, new (connection: ProviderConnection) => ChatProvider>> = {
  mistral: MistralProvider,
  together: TogetherProvider,
  huggingface: HuggingFaceProvider,
  openai_compatible: OpenAiCompatibleProvider,
};

/**
 * An adapter of `type` for one instance (`connection.name`; the type itself when absent), all four
 * SDKs imported up front: for tests and tools. The daemon uses loadAdapters, which imports only the
 * SDKs of the providers a run uses.
 */
export function createProvider(type: ProviderType, connection: ProviderConnection): ChatProvider {
  return new ADAPTERS[type](connection);
}

export type { ProviderConnection };
