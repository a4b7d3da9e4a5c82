import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { PipelineRoles } from '../../src/core/types.js';
import { createOfflineConfiguration } from '../../src/config/offline-configuration.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

/** A pipeline with one role and no default model anywhere, as a new pipeline may start. */
const ECHO: PipelineRoles = { pipeline: 'echo', roles: [{ name: 'echo', description: 'answers the one question', defaultModels: {} }] };

describe('models per role come from the selected pipeline', () => {
  const { writeSecrets, load } = useSecretsWorkspace();
  const write = (content: object) => writeSecrets(JSON.stringify(content));

  it("Ada's three roles get her defaults per provider unless models names one", () => {
    write({ mistral_api_key: 'm-key-123456', providers: { mistral: { models: { rewriter: 'open-mistral-nemo' } } } });
    expect(load().providers[0]?.models).toEqual({ tester: 'mistral-small-latest', assistant: 'mistral-medium-latest', rewriter: 'open-mistral-nemo', judge: 'mistral-small-latest' });
  });

  it("a role the pipeline does not have is refused, naming the pipeline's roles", () => {
    write({ mistral_api_key: 'm-key-123456', providers: { mistral: { models: { testr: 'mistral-small-latest' } } } });
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(
      'data/secrets.json: providers.mistral.models: unknown role "testr"; the ada pipeline\'s roles are tester, assistant, rewriter, judge. ' +
        'Rename or remove the key (or choose the pipeline those roles belong to with --pipeline).',
    );
  });

  it('another pipeline takes its own roles: a model for each is required where it declares no default, and named when missing', () => {
    write({ together_api_key: 't-key-123456' });
    expect(() => load({}, { roles: ECHO })).toThrow(
      'data/secrets.json: providers.together.models.echo: the echo pipeline\'s role "echo" (answers the one question) has no default model on together; ' +
        'name one, e.g. "providers": {"together": {"models": {"echo": "<model>"}}}.',
    );
    write({ together_api_key: 't-key-123456', providers: { together: { models: { echo: 'Qwen/Qwen2.5-7B-Instruct-Turbo' } } } });
    expect(load({}, { roles: ECHO }).providers[0]?.models).toEqual({ echo: 'Qwen/Qwen2.5-7B-Instruct-Turbo' });
  });

  it("Ada's role names are errors under a pipeline that does not have them", () => {
    write({ together_api_key: 't-key-123456', providers: { together: { models: { echo: 'a-model', tester: 'b-model' } } } });
    expect(() => load({}, { roles: ECHO })).toThrow(/unknown role "tester"; the echo pipeline's roles are echo\./);
  });

  it('models must be an object of names: an empty name is refused where it stands', () => {
    writeSecrets('{\n  "mistral_api_key": "m-key-123456",\n  "providers": { "mistral": { "models": { "tester": "" } } }\n}\n');
    expect(() => load()).toThrow(/providers\.mistral\.models\.tester: expected a model name, got an empty string/);
  });
});

describe('the offline dry run names a model after each of the pipeline’s roles', () => {
  it('so the emulator can tell which role each request plays', () => {
    const configuration = createOfflineConfiguration({
      cwd: '/tmp',
      baseUrls: { mistral: 'http://127.0.0.1:1', together: 'http://127.0.0.1:1', huggingface: 'http://127.0.0.1:1', openai_compatible: 'http://127.0.0.1:1' },
      roles: ECHO,
    });
    expect(configuration.providers.map((provider) => provider.models)).toEqual([{ echo: 'offline-echo' }, { echo: 'offline-echo' }, { echo: 'offline-echo' }]);
  });
});
