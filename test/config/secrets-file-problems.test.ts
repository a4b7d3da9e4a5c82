import { describe, expect, it } from 'vitest';
import { MissingSecretsError } from '../../src/config/secrets-template.js';
import type { ConfigurationInput } from '../../src/config/configuration.js';
import { ConfigError } from '../../src/core/errors.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

describe('what the secrets file and the environment allow, and how problems are told', () => {
  const { writeSecrets: writeText, load } = useSecretsWorkspace();
  const write = (content: object) => writeText(JSON.stringify(content, null, 2));
  const problem = (env: Record<string, string> = {}, extra: Partial<ConfigurationInput> = {}): string => {
    try {
      load(env, extra);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('wrong value types say what was expected in words, with file, line and column, and never echo a string', () => {
    writeText(
      [
        '{',
        '  "mistral_api_key": "m-key-123456",',
        '  "enabled_providers": "mistral",',
        '  "providers": {',
        '    "mistral": {',
        '      "max_concurrency": "32",',
        '      "requests_per_second": 0,',
        '      "timeout_ms": 2.5',
        '    }',
        '  },',
        '  "prices": { "m": { "input_per_million": "cheap", "output_per_million": 1 } }',
        '}',
      ].join('\n'),
    );
    const message = problem();
    expect(message).toContain('data/secrets.json has problems:');
    expect(message).toContain('data/secrets.json:3:24: enabled_providers: expected a list of provider names such as ["mistral", "together"], got a string');
    expect(message).toContain(
      'data/secrets.json:6:26: providers.mistral.max_concurrency: expected a positive integer (requests in flight at once: a whole number greater than 0), got a string',
    );
    expect(message).toContain(
      'data/secrets.json:7:30: providers.mistral.requests_per_second: expected a number of requests per second greater than 0, got `0` (number)',
    );
    expect(message).toContain('data/secrets.json:8:21: providers.mistral.timeout_ms: expected a positive integer (milliseconds');
    expect(message).toContain('data/secrets.json:11:43: prices.m.input_per_million: expected a price per million tokens, 0 or more, got a string');
    expect(message).not.toContain('cheap');
  });

  it('an unknown key points at the key itself', () => {
    writeText('{\n  "mistral_api_key": "m-key-123456",\n  "providers": { "mistral": { "max_concurency": 4 } }\n}\n');
    expect(problem()).toContain(
      'data/secrets.json:3:31: providers.mistral: unknown key "max_concurency"; expected one of base_url, requests_per_second',
    );
  });

  it('OPENAI_COMPATIBLE_BASE_URL alone, with no secrets file and no key, is a whole configuration', () => {
    const configuration = load({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:8000/v1' });
    expect(configuration.providers).toHaveLength(1);
    expect(configuration.providers[0]).toMatchObject({ name: 'openai_compatible', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'not-needed' });
    const fromFlag = load({}, { baseUrls: { openai_compatible: 'http://127.0.0.1:9000/v1' } });
    expect(fromFlag.providers.map((provider) => provider.baseUrl)).toEqual(['http://127.0.0.1:9000/v1']);
  });

  it('no file, no key and no local server is the missing-configuration case (the CLI writes the template)', () => {
    expect(() => load()).toThrow(MissingSecretsError);
    // An explicit --config that does not exist is a typo, not a first run.
    expect(() => load({}, { configPath: 'elsewhere.json' })).toThrow(/elsewhere\.json \(from --config\) does not exist/);
    expect(() => load({}, { configPath: 'elsewhere.json' })).not.toThrow(MissingSecretsError);
  });

  it('--providers may name any provider with a key, overriding enabled_providers for the run', () => {
    write({ mistral_api_key: 'm-key-123456', together_api_key: 't-key-123456', enabled_providers: ['mistral'] });
    expect(load({}, { only: ['together'] }).providers.map((provider) => provider.name)).toEqual(['together']);
    expect(load({}, { only: ['together', 'mistral'] }).providers.map((provider) => provider.name)).toEqual(['together', 'mistral']);
    expect(load({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:8000/v1' }, { only: ['openai_compatible'] }).providers[0]?.name).toBe(
      'openai_compatible',
    );
  });

  it('--providers naming a provider without a key says where the key goes', () => {
    write({ mistral_api_key: 'm-key-123456', huggingface_api_key: 'your_key_here' });
    const message = problem({}, { only: ['mistral', 'huggingface'] });
    expect(message).toContain('--providers names huggingface, which cannot be used without a key');
    expect(message).toContain('huggingface: the key is still the template placeholder');
    expect(message).toContain('HF_TOKEN');
  });

  it('with --providers, a provider listed in enabled_providers without a key is no obstacle', () => {
    write({ mistral_api_key: 'm-key-123456', enabled_providers: ['mistral', 'together'] });
    expect(problem()).toContain('enabled_providers lists a provider without an API key');
    expect(load({}, { only: ['mistral'] }).providers.map((provider) => provider.name)).toEqual(['mistral']);
  });
});
