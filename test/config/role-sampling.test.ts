import { describe, expect, it } from 'vitest';
import type { ConfigurationInput } from '../../src/config/configuration.js';
import { createOfflineConfiguration } from '../../src/config/offline-configuration.js';
import { ConfigError } from '../../src/core/errors.js';
import { ADA_ROLES } from '../../src/pipelines/ada/index.js';
import { SELFPLAY_ROLES } from '../../src/pipelines/selfplay/selfplay-roles.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

const SELFPLAY = { roles: { pipeline: 'selfplay', roles: SELFPLAY_ROLES } };

describe('sampling per role comes from secrets.json, over each role of the selected pipeline', () => {
  const { writeSecrets, load } = useSecretsWorkspace();
  const write = (content: object) => writeSecrets(JSON.stringify(content, null, 2));
  const problem = (extra: Partial<ConfigurationInput> = {}): string => {
    try {
      load({}, extra);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it("without a sampling key every role samples as today: Ada's tester warm, the rewriter cool, the judge at 0", () => {
    write({ together_api_key: 't-key-123456' });
    expect(load().sampling).toEqual({
      tester: { temperature: 0.9, maxTokens: 512 },
      assistant: { temperature: 0.7, maxTokens: 2048 },
      rewriter: { temperature: 0.3, maxTokens: 1024 },
      judge: { temperature: 0, maxTokens: 300 },
    });
    expect(load({}, SELFPLAY).sampling).toEqual({
      environment: { maxTokens: 2000 },
      requester: { maxTokens: 200 },
      assistant: { temperature: 0.7, maxTokens: 600 },
      judge: { temperature: 0, maxTokens: 200 },
    });
  });

  it('a configured field replaces only that field of the default; top_p is added where none was', () => {
    write({ together_api_key: 't-key-123456', sampling: { tester: { temperature: 1.3, top_p: 0.92 }, judge: { max_tokens: 500 } } });
    const { sampling } = load();
    expect(sampling.tester).toEqual({ temperature: 1.3, topP: 0.92, maxTokens: 512 });
    expect(sampling.assistant).toEqual({ temperature: 0.7, maxTokens: 2048 });
    expect(sampling.judge).toEqual({ temperature: 0, maxTokens: 500 });
    expect(Object.isFrozen(sampling.tester)).toBe(true);
  });

  it('a role this run never asks (the judge without --judge) is accepted but left out, so it changes nothing recorded', () => {
    write({ together_api_key: 't-key-123456', sampling: { judge: { temperature: 0.5 } } });
    const sampling = load({}, { roles: { pipeline: 'ada', roles: ADA_ROLES, unused: ['judge'] } }).sampling;
    expect(Object.keys(sampling)).toEqual(['tester', 'assistant', 'rewriter']);
  });

  it("a role the pipeline does not have is refused at its key, naming the pipeline's roles", () => {
    writeSecrets(['{', '  "together_api_key": "t-key-123456",', '  "sampling": {', '    "tester": { "temperature": 1.0 },', '    "testr": { "temperature": 1.0 }', '  }', '}'].join('\n'));
    expect(problem()).toBe(
      'data/secrets.json has a problem:\n' +
        '  data/secrets.json:5:5: sampling: unknown role "testr"; the ada pipeline\'s roles are tester, assistant, rewriter, judge. ' +
        'Rename or remove the key (or choose the pipeline those roles belong to with --pipeline).\n' +
        'See "sampling" in the configuration reference in README.md.',
    );
    // The same file under self-play: Ada's tester is the unknown one there.
    expect(problem(SELFPLAY)).toContain(
      'data/secrets.json:4:5: sampling: unknown role "tester"; the selfplay pipeline\'s roles are environment, requester, assistant, judge.',
    );
  });

  it('values out of range or of the wrong type are each placed at their line and column, saying what was expected', () => {
    writeSecrets(
      [
        '{',
        '  "together_api_key": "t-key-123456",',
        '  "sampling": {',
        '    "tester": { "temperature": 2.5, "top_p": 0 },',
        '    "assistant": { "max_tokens": 1.5, "top_k": 40 },',
        '    "rewriter": { "temperature": "hot" }',
        '  }',
        '}',
      ].join('\n'),
    );
    const message = problem();
    expect(message).toContain('data/secrets.json has problems:');
    expect(message).toContain('data/secrets.json:4:32: sampling.tester.temperature: expected a temperature from 0 to 2, got `2.5` (number)');
    expect(message).toContain('data/secrets.json:4:46: sampling.tester.top_p: expected a top_p greater than 0 and at most 1, got `0` (number)');
    expect(message).toContain('data/secrets.json:5:34: sampling.assistant.max_tokens: expected a positive integer (tokens per reply: a whole number greater than 0), got `1.5` (number)');
    expect(message).toContain('data/secrets.json:5:39: sampling.assistant: unknown key "top_k"; expected one of temperature, top_p, max_tokens');
    expect(message).toContain('data/secrets.json:6:34: sampling.rewriter.temperature: expected a temperature from 0 to 2, got a string');
    expect(message).not.toContain('hot');
  });

  it('sampling must be an object keyed by role', () => {
    write({ together_api_key: 't-key-123456', sampling: [{ temperature: 1 }] });
    expect(problem()).toContain('sampling: expected an object of sampling settings keyed by role, e.g. {"tester": {"temperature": 1.0}}, got a list');
  });

  it('a temperature above 1.5 is refused while a Mistral instance serves the role (its API refuses it), and accepted without one', () => {
    writeSecrets(['{', '  "mistral_api_key": "m-key-123456",', '  "together_api_key": "t-key-123456",', '  "sampling": { "tester": { "temperature": 1.8 } }', '}'].join('\n'));
    expect(problem()).toContain(
      'data/secrets.json:4:44: sampling.tester.temperature: Mistral accepts a temperature up to 1.5 and refuses more, got `1.8`, so every tester request to mistral would fail. ' +
        'Lower it to 1.5 or less, or leave that instance out (enabled_providers, --providers).',
    );
    expect(load({}, { only: ['together'] }).sampling.tester).toEqual({ temperature: 1.8, maxTokens: 512 });
  });
});

describe('the offline dry run samples as the pipeline declares', () => {
  it('every asked role gets its default, since the dry run reads no secrets file', () => {
    const configuration = createOfflineConfiguration({
      cwd: '/tmp',
      baseUrls: { mistral: 'http://127.0.0.1:1', together: 'http://127.0.0.1:1', huggingface: 'http://127.0.0.1:1', openai_compatible: 'http://127.0.0.1:1' },
      roles: { pipeline: 'selfplay', roles: SELFPLAY_ROLES, unused: ['judge'] },
    });
    expect(configuration.sampling).toEqual({ environment: { maxTokens: 2000 }, requester: { maxTokens: 200 }, assistant: { temperature: 0.7, maxTokens: 600 } });
  });
});
