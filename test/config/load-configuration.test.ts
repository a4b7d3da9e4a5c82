import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

describe('loading the configuration', () => {
  const { writeSecrets, load } = useSecretsWorkspace();
  const write = (content: object) => writeSecrets(JSON.stringify(content));

  it('the format existing users have is accepted as is, with free-tier defaults', () => {
    write({ mistral_api_key: 'm-key-123456', together_api_key: 't-key-123456', huggingface_api_key: 'hf_abcdef', enabled_providers: ['mistral', 'together'] });
    const configuration = load();
    expect(configuration.providers.map((provider) => provider.name)).toEqual(['mistral', 'together']);
    const [mistral, together] = configuration.providers;
    expect(mistral).toMatchObject({ apiKey: 'm-key-123456', baseUrl: 'https://api.mistral.ai', requestsPerSecond: 1, tokensPerMinute: 500_000 });
    expect(together).toMatchObject({ baseUrl: 'https://api.together.xyz/v1', requestsPerSecond: 1 });
    expect(configuration.secrets).toContain('hf_abcdef');
    expect(Object.isFrozen(configuration.providers[0])).toBe(true);
  });

  it('without enabled_providers every provider with a key is enabled', () => {
    write({ mistral_api_key: 'm-key-123456', huggingface_api_key: 'hf_abcdef' });
    expect(load().providers.map((provider) => provider.name)).toEqual(['mistral', 'huggingface']);
  });

  it('the environment overrides the file, and flags override the environment', () => {
    write({ mistral_api_key: 'file-key-123456', providers: { mistral: { base_url: 'http://file.example' } } });
    const fromEnvironment = load({ MISTRAL_API_KEY: 'env-key-123456', MISTRAL_BASE_URL: 'http://env.example' });
    expect(fromEnvironment.providers[0]).toMatchObject({ apiKey: 'env-key-123456', baseUrl: 'http://env.example' });
    const fromFlag = load({ MISTRAL_BASE_URL: 'http://env.example' }, { baseUrls: { mistral: 'http://flag.example/' } });
    expect(fromFlag.providers[0]?.baseUrl).toBe('http://flag.example');
  });

  it('a Mistral base URL ending in /v1 is refused with the server root to use instead', () => {
    write({ mistral_api_key: 'm-key-123456', providers: { mistral: { base_url: 'https://api.mistral.ai/v1/' } } });
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(
      'The base URL for mistral (https://api.mistral.ai/v1, from providers.mistral.base_url) ends in /v1, but the Mistral SDK ' +
        'appends /v1/chat/completions itself, so every request would go to .../v1/v1/chat/completions and fail. ' +
        'Give the server root instead: https://api.mistral.ai',
    );
    write({ mistral_api_key: 'm-key-123456' });
    expect(() => load({ MISTRAL_BASE_URL: 'http://127.0.0.1:8080/mistral/V1' })).toThrow(/from MISTRAL_BASE_URL\) ends in \/v1.*http:\/\/127\.0\.0\.1:8080\/mistral$/s);
    expect(() => load({}, { baseUrls: { mistral: 'https://user:secret@proxy.example/v1' } })).toThrow(/\(https:\/\/proxy\.example\/v1, from --mistral-base-url\)/);
    expect(() => load({}, { baseUrls: { mistral: 'https://user:secret@proxy.example/v1' } })).not.toThrow(/secret/);
    // Only Mistral's SDK adds /v1 itself; Together's base URL ends in /v1 by convention.
    write({ mistral_api_key: 'm-key-123456', together_api_key: 't-key-123456', providers: { mistral: { base_url: 'https://proxy.example/v1beta' } } });
    expect(load({ TOGETHER_BASE_URL: 'https://api.together.xyz/v1' }).providers.map((provider) => provider.baseUrl)).toEqual([
      'https://proxy.example/v1beta',
      'https://api.together.xyz/v1',
    ]);
  });

  it('HF_TOKEN and HUGGINGFACE_API_KEY both carry the Hugging Face key', () => {
    write({});
    expect(load({ HUGGINGFACE_API_KEY: 'hf_second' }).providers[0]).toMatchObject({ name: 'huggingface', apiKey: 'hf_second' });
    expect(load({ HF_TOKEN: 'hf_first', HUGGINGFACE_API_KEY: 'hf_second' }).providers[0]?.apiKey).toBe('hf_first');
  });

  it('keys in the environment are enough when there is no secrets file', () => {
    expect(load({ TOGETHER_API_KEY: 'env-only-123456' }).providers.map((provider) => provider.name)).toEqual(['together']);
  });

  it('per-provider overrides and an OpenAI-compatible server are read', () => {
    write({
      openai_compatible: { base_url: 'http://localhost:11434/v1' },
      enabled_providers: ['openai_compatible'],
      providers: { openai_compatible: { requests_per_second: 3, max_concurrency: 2, timeout_ms: 5000, models: { assistant: 'qwen2.5:7b' } } },
      prices: { 'qwen2.5:7b': { input_per_million: 0, output_per_million: 0 } },
    });
    const [local] = load().providers;
    expect(local).toMatchObject({ name: 'openai_compatible', baseUrl: 'http://localhost:11434/v1', requestsPerSecond: 3, maxConcurrency: 2, timeoutMs: 5000 });
    expect(local?.models).toEqual({ tester: 'local-model', assistant: 'qwen2.5:7b', rewriter: 'local-model', judge: 'local-model' });
  });

  it('pacing_margin_ms is read per provider, defaults to 0, and must be a whole number of 0 or more', () => {
    write({ mistral_api_key: 'm-key-123456', together_api_key: 't-key-123456', providers: { mistral: { pacing_margin_ms: 25 } } });
    const [mistral, together] = load().providers;
    expect(mistral?.pacingMarginMs).toBe(25);
    expect(together?.pacingMarginMs).toBe(0);
    write({ mistral_api_key: 'm-key-123456', providers: { mistral: { pacing_margin_ms: 0 } } });
    expect(load().providers[0]?.pacingMarginMs).toBe(0);
    for (const invalid of [-1, 2.5, '10']) {
      write({ mistral_api_key: 'm-key-123456', providers: { mistral: { pacing_margin_ms: invalid } } });
      expect(() => load()).toThrow(ConfigError);
      expect(() => load()).toThrow(/providers\.mistral\.pacing_margin_ms: expected a whole number of milliseconds, 0 or more/);
    }
  });

  it('an unknown top-level key is a warning, an unknown per-provider key an error', () => {
    write({ mistral_api_key: 'm-key-123456', comment: 'mine' });
    expect(load().warnings[0]).toContain('unknown key "comment"');
    write({ mistral_api_key: 'm-key-123456', providers: { mistral: { request_per_second: 2 } } });
    expect(() => load()).toThrow(/unknown key "request_per_second"/);
  });

  it('an entry under providers with neither a type nor the name of one is refused', () => {
    write({ mistral_api_key: 'm-key-123456', providers: { mistrall: {} } });
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(/providers\.mistrall: "mistrall" is not a provider type, so the entry needs "type"/);
  });
});
