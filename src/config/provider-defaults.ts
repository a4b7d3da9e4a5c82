import type { ProviderType } from '../core/types.js';

export interface ProviderDefaults {
  /** Where the SDK is pointed; each SDK has its own convention (see README, "Base URLs"). */
  readonly baseUrl: string;
  readonly requestsPerSecond: number;
  readonly tokensPerMinute: number | undefined;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  /** Extra spacing between request starts, in ms. */
  readonly pacingMarginMs: number;
  /** Environment variables that carry the key, first match wins. */
  readonly keyVariables: readonly string[];
  readonly baseUrlVariable: string;
  /** The key field in secrets.json. */
  readonly secretsKey: string;
  /** Local OpenAI-compatible servers usually need no key. */
  readonly keyRequired: boolean;
}

/**
 * Models are not here: they depend on the job, so each pipeline declares a default per role and
 * provider (Ada's in src/pipelines/ada/ada-roles.ts).
 * Defaults follow each provider's published free tier, so a new user never gets throttled by
 * our own pacing. Raise them in `providers.<name>` when your plan allows more.
 * - Mistral free tier: 1 request/s, 500,000 tokens/min (https://docs.mistral.ai/deployment/laplateforme/tier/)
 * - Together free tier: 1 request/s on free models (https://docs.together.ai/docs/rate-limits)
 * - Hugging Face Inference free tier: about one request every two seconds.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<ProviderType, ProviderDefaults>> = {
  mistral: {
    // Server root: the SDK appends /v1/chat/completions itself.
    baseUrl: 'https://api.mistral.ai',
    requestsPerSecond: 1,
    tokensPerMinute: 500_000,
    maxConcurrency: 32,
    timeoutMs: 120_000,
    pacingMarginMs: 0,
    keyVariables: ['MISTRAL_API_KEY'],
    baseUrlVariable: 'MISTRAL_BASE_URL',
    secretsKey: 'mistral_api_key',
    keyRequired: true,
  },
  together: {
    // Ends in /v1: the SDK appends /chat/completions.
    baseUrl: 'https://api.together.xyz/v1',
    requestsPerSecond: 1,
    tokensPerMinute: undefined,
    maxConcurrency: 32,
    timeoutMs: 120_000,
    pacingMarginMs: 0,
    keyVariables: ['TOGETHER_API_KEY'],
    baseUrlVariable: 'TOGETHER_BASE_URL',
    secretsKey: 'together_api_key',
    keyRequired: true,
  },
  huggingface: {
    // Endpoint root: @huggingface/inference appends /v1/chat/completions.
    baseUrl: 'https://router.huggingface.co',
    requestsPerSecond: 0.5,
    tokensPerMinute: undefined,
    maxConcurrency: 16,
    timeoutMs: 120_000,
    pacingMarginMs: 0,
    keyVariables: ['HF_TOKEN', 'HUGGINGFACE_API_KEY'],
    baseUrlVariable: 'HF_BASE_URL',
    secretsKey: 'huggingface_api_key',
    keyRequired: true,
  },
  openai_compatible: {
    // LM Studio's default; Ollama is http://localhost:11434/v1, vLLM http://localhost:8000/v1.
    baseUrl: 'http://localhost:1234/v1',
    // A local server is bound by its GPU, not a quota: pace loosely, cap concurrency instead.
    requestsPerSecond: 10,
    tokensPerMinute: undefined,
    maxConcurrency: 4,
    timeoutMs: 300_000,
    pacingMarginMs: 0,
    keyVariables: ['OPENAI_COMPATIBLE_API_KEY'],
    baseUrlVariable: 'OPENAI_COMPATIBLE_BASE_URL',
    secretsKey: 'openai_compatible.api_key',
    keyRequired: false,
  },
};

/** Values users leave in from the template; they count as "no key". */
export const PLACEHOLDER_KEYS: ReadonlySet<string> = new Set([
  'your_key_here',
  'your_api_key_here',
  'your-api-key',
  'YOUR_API_KEY',
  '<your key>',
  'changeme',
  'xxx',
]);

export function isPlaceholderKey(key: string): boolean {
  const trimmed = key.trim();
  return PLACEHOLDER_KEYS.has(trimmed) || /^your[_-].*key/i.test(trimmed);
}
