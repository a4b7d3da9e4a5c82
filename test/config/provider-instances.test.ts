import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

describe('provider instances in secrets.json', () => {
  const { writeSecrets, load } = useSecretsWorkspace();
  const write = (content: object) => writeSecrets(JSON.stringify(content, null, 2));
  const names = (configuration: ReturnType<typeof load>) => configuration.providers.map((provider) => provider.name);

  it('two Together keys run as two instances, each with its own key, base URL and limits', () => {
    write({
      together_api_key: 'together-a-key-123456',
      providers: {
        together: { requests_per_second: 2 },
        'together-b': { type: 'together', api_key: 'together-b-key-654321', base_url: 'http://127.0.0.1:9000/together/v1/', requests_per_second: 1, max_concurrency: 3 },
      },
      enabled_providers: ['together', 'together-b'],
    });
    const configuration = load();
    expect(configuration.providers).toMatchObject([
      { name: 'together', type: 'together', apiKey: 'together-a-key-123456', baseUrl: 'https://api.together.xyz/v1', requestsPerSecond: 2, maxConcurrency: 32 },
      { name: 'together-b', type: 'together', apiKey: 'together-b-key-654321', baseUrl: 'http://127.0.0.1:9000/together/v1', requestsPerSecond: 1, maxConcurrency: 3 },
    ]);
    // Both keys are redacted from every log line.
    expect(configuration.secrets).toEqual(expect.arrayContaining(['together-a-key-123456', 'together-b-key-654321']));
  });

  it('three vLLM servers are openai_compatible instances that need no key', () => {
    write({
      providers: {
        'vllm-1': { type: 'openai_compatible', base_url: 'http://gpu-1:8000/v1', models: { tester: 'qwen', assistant: 'qwen', rewriter: 'qwen' } },
        'vllm-2': { type: 'openai_compatible', base_url: 'http://gpu-2:8000/v1' },
        'vllm-3': { type: 'openai_compatible', base_url: 'http://gpu-3:8000/v1', api_key: 'vllm-3-key-000111' },
      },
    });
    const configuration = load();
    // Without enabled_providers, every entry with a name of its own is used.
    expect(names(configuration)).toEqual(['vllm-1', 'vllm-2', 'vllm-3']);
    expect(configuration.providers.map((provider) => [provider.type, provider.baseUrl, provider.apiKey])).toEqual([
      ['openai_compatible', 'http://gpu-1:8000/v1', 'not-needed'],
      ['openai_compatible', 'http://gpu-2:8000/v1', 'not-needed'],
      ['openai_compatible', 'http://gpu-3:8000/v1', 'vllm-3-key-000111'],
    ]);
    expect(configuration.providers[0]?.models.assistant).toBe('qwen');
    expect(configuration.providers[1]?.requestsPerSecond).toBe(10);
  });

  it('an entry named after a type is that type and needs no "type"; its api_key is the key', () => {
    write({ providers: { mistral: { api_key: 'mistral-entry-key-123456', requests_per_second: 3 } } });
    expect(load().providers).toMatchObject([{ name: 'mistral', type: 'mistral', apiKey: 'mistral-entry-key-123456', requestsPerSecond: 3 }]);
    write({ providers: { mistral: { type: 'mistral', api_key: 'mistral-entry-key-123456' } } });
    expect(names(load())).toEqual(['mistral']);
  });

  it('an entry named after one type but saying another is refused', () => {
    write({ mistral_api_key: 'm-key-123456', providers: { together: { type: 'mistral', api_key: 't-key-123456' } } });
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(/providers\.together\.type: an entry named after a provider type is of that type, but it says "mistral"\. Give the entry a name of its own \(e\.g\. "mistral-2"\)/);
  });

  it('an unknown type is refused at its line and column without echoing the value', () => {
    writeSecrets('{\n  "providers": {\n    "together-b": { "type": "togther", "api_key": "t-key-123456" }\n  }\n}\n');
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(
      'data/secrets.json:3:29: providers.together-b.type: expected a provider type, one of mistral, together, huggingface, openai_compatible; got a string',
    );
  });

  it('an entry whose name is not a type and that says no type is refused, naming the types', () => {
    write({ providers: { 'together-b': { api_key: 't-key-123456' } } });
    expect(() => load()).toThrow(
      'data/secrets.json: providers.together-b: "together-b" is not a provider type, so the entry needs "type": one of "mistral", "together", "huggingface", "openai_compatible"',
    );
  });

  it('an instance name that could not be typed in --providers or read in a log is refused', () => {
    write({ providers: { 'together b,c': { type: 'together', api_key: 't-key-123456' } } });
    expect(() => load()).toThrow(/providers\."together b,c": an instance name is 1 to 64 letters, digits, "-", "_" or "\."/);
  });

  it('an enabled instance without its key is an error naming the instance and where the key goes', () => {
    // The classic TOGETHER_API_KEY belongs to the instance named together, never to together-b.
    write({ together_api_key: 't-key-123456', providers: { 'together-b': { type: 'together' } }, enabled_providers: ['together', 'together-b'] });
    expect(() => load({ TOGETHER_API_KEY: 'env-key-123456' })).toThrow(
      /enabled_providers lists a provider without an API key:\n {2}- together-b: no key \(set providers\.together-b\.api_key\)/,
    );
    // Not listed anywhere: a declared entry is meant to run, so its missing key is still an error.
    write({ together_api_key: 't-key-123456', providers: { 'together-b': { type: 'together', api_key: 'your_key_here' } } });
    expect(() => load()).toThrow(/a provider instance has no API key:\n {2}- together-b: the key is still the template placeholder "your_key_here" \(set providers\.together-b\.api_key\)/);
  });

  it('an unknown name in enabled_providers is refused, listing the configured instances', () => {
    write({ together_api_key: 't-key-123456', providers: { 'together-b': { type: 'together', api_key: 'tb-key-123456' } }, enabled_providers: ['together', 'together-c'] });
    expect(() => load()).toThrow(
      'data/secrets.json: enabled_providers: unknown provider "together-c"; the configured instances are mistral, together, huggingface, ' +
        'openai_compatible, together-b (together). A new instance needs an entry',
    );
  });

  it('a name listed twice in enabled_providers runs once, with a warning', () => {
    write({ together_api_key: 't-key-123456', providers: { 'together-b': { type: 'together', api_key: 'tb-key-123456' } }, enabled_providers: ['together-b', 'together', 'together-b'] });
    const configuration = load();
    expect(names(configuration)).toEqual(['together-b', 'together']);
    expect(configuration.warnings).toContain('data/secrets.json: enabled_providers names "together-b" more than once; each instance runs once');
  });

  it('--providers takes instance names, and an unknown one is refused with the configured instances', () => {
    write({ mistral_api_key: 'm-key-123456', providers: { 'together-b': { type: 'together', api_key: 'tb-key-123456' } }, enabled_providers: ['mistral'] });
    expect(names(load({}, { only: ['together-b'] }))).toEqual(['together-b']);
    expect(() => load({}, { only: ['together-a'] })).toThrow(/^--providers: unknown provider "together-a"; the configured instances are mistral, together, huggingface, openai_compatible, together-b \(together\)\./);
  });

  it('the environment and --<type>-base-url flags point the classic instance only', () => {
    write({ together_api_key: 't-key-123456', providers: { 'together-b': { type: 'together', api_key: 'tb-key-123456' } } });
    const configuration = load({ TOGETHER_BASE_URL: 'http://env.example/v1' }, { baseUrls: { together: 'http://flag.example/v1' } });
    expect(configuration.providers.map((provider) => [provider.name, provider.baseUrl])).toEqual([
      ['together', 'http://flag.example/v1'],
      ['together-b', 'https://api.together.xyz/v1'],
    ]);
  });

  it('a Mistral instance with a /v1 base URL is refused by its own name', () => {
    write({ providers: { 'mistral-eu': { type: 'mistral', api_key: 'm-key-123456', base_url: 'https://eu.example/v1' } } });
    expect(() => load()).toThrow(/^The base URL for mistral-eu \(https:\/\/eu\.example\/v1, from providers\.mistral-eu\.base_url\) ends in \/v1/);
  });

  it('each instance has its own monthly budget', () => {
    write({
      together_api_key: 't-key-123456',
      providers: { together: { monthly_tokens: 1000 }, 'together-b': { type: 'together', api_key: 'tb-key-123456', monthly_tokens: 2000 } },
    });
    expect(load().budgets.providers).toEqual({ together: { tokens: 1000 }, 'together-b': { tokens: 2000 } });
  });

  it('the classic format still means one instance per type, named after it', () => {
    write({ mistral_api_key: 'm-key-123456', huggingface_api_key: 'hf_abcdef', openai_compatible: { base_url: 'http://localhost:11434/v1' } });
    expect(load().providers.map((provider) => [provider.name, provider.type])).toEqual([
      ['mistral', 'mistral'],
      ['huggingface', 'huggingface'],
      ['openai_compatible', 'openai_compatible'],
    ]);
  });
});
