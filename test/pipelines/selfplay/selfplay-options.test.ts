import { describe, expect, it } from 'vitest';
import { generateHelp, parseGenerateOptions } from '../../../src/cli/generate-options.js';
import { ConfigError } from '../../../src/core/errors.js';
import { selfplayPipeline } from '../../../src/pipelines/selfplay/index.js';
import { SELFPLAY_OPTIONS } from '../../../src/pipelines/selfplay/selfplay-options.js';

describe("self-play's --temperature beside sampling.assistant in secrets.json", () => {
  it('absent, it leaves the temperature to the configuration (whose default is 0.7), and the help says which wins', () => {
    expect(SELFPLAY_OPTIONS.temperature.default).toBeUndefined();
    expect(generateHelp(selfplayPipeline)).toContain(
      '--temperature T             sampling temperature of the response step, 0 to 2 (1.5 at most with Mistral); wins over sampling.assistant.temperature in secrets.json (default: sampling.assistant.temperature, else 0.7)',
    );
  });

  it('takes a temperature from 0 to 2, the range the configuration takes, and refuses anything else', () => {
    const parse = (text: string) => {
      const option = SELFPLAY_OPTIONS.temperature;
      if (!('parse' in option)) throw new Error('--temperature takes a value');
      return option.parse(text);
    };
    expect(parse('0')).toBe(0);
    expect(parse('1.3')).toBe(1.3);
    expect(() => parse('2.5')).toThrow(new ConfigError('--temperature expects a temperature from 0 to 2, got "2.5".'));
    expect(() => parse('-0.1')).toThrow('--temperature expects a number of at least 0, got "-0.1".');
    expect(() => parseGenerateOptions(['--pipeline', 'selfplay', '--temperature', 'warm'])).toThrow(ConfigError);
  });
});
