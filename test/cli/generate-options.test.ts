import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET, GENERATE_HELP, parseGenerateOptions } from '../../src/cli/generate-options.js';
import { ConfigError } from '../../src/core/errors.js';

describe('generate flags', () => {
  it('--target defaults to 5000, as the original tool did, and the help says so', () => {
    expect(DEFAULT_TARGET).toBe(5000);
    expect(parseGenerateOptions([]).target).toBe(5000);
    expect(parseGenerateOptions(['--target', '12']).target).toBe(12);
    expect(GENERATE_HELP).toContain('--target N                  conversations the output file should hold at the end (default: 5000)');
  });

  it('--first-reply-timeout defaults to ten minutes, takes 0 for "wait forever", and refuses a negative value', () => {
    expect(parseGenerateOptions([]).firstReplyTimeoutSeconds).toBe(600);
    expect(parseGenerateOptions(['--first-reply-timeout', '0']).firstReplyTimeoutSeconds).toBe(0);
    expect(parseGenerateOptions(['--first-reply-timeout', '90']).firstReplyTimeoutSeconds).toBe(90);
    expect(() => parseGenerateOptions(['--first-reply-timeout', '-1'])).toThrow(ConfigError);
    expect(GENERATE_HELP).toContain('--first-reply-timeout SECONDS');
  });

  it('--provider-threads is auto unless set to on or off, and any other value says which ones it takes', () => {
    expect(parseGenerateOptions([]).providerThreads).toBe('auto');
    expect(parseGenerateOptions(['--provider-threads', 'on']).providerThreads).toBe('on');
    expect(parseGenerateOptions(['--provider-threads', 'off']).providerThreads).toBe('off');
    expect(() => parseGenerateOptions(['--provider-threads', 'yes'])).toThrow('--provider-threads expects auto, on, off, got "yes".');
    expect(GENERATE_HELP).toContain('--provider-threads auto|on|off');
  });

  it('--quick, --standard and --large are targets of 10, 100 and 1000, for any pipeline', () => {
    expect(parseGenerateOptions(['--quick']).target).toBe(10);
    expect(parseGenerateOptions(['--standard']).target).toBe(100);
    expect(parseGenerateOptions(['--pipeline', 'selfplay', '--large']).target).toBe(1000);
    expect(GENERATE_HELP).toContain('--quick, --standard, --large  --target 10, 100, 1000');
  });

  it("another pipeline's flag says whose it is; a flag of none stays a plain unknown option", () => {
    expect(() => parseGenerateOptions(['--pipeline', 'selfplay', '--min-score', '3'])).toThrow(
      "Unknown option '--min-score': it is a flag of the ada pipeline, and this run's pipeline is selfplay (--pipeline ada to use it)",
    );
    // A flag both pipelines have is each one's own.
    expect(() => parseGenerateOptions(['--pipeline', 'selfplay', '--judge'])).not.toThrow();
    expect(() => parseGenerateOptions(['--num-variations', '3'])).toThrow('it is a flag of the selfplay pipeline');
    expect(() => parseGenerateOptions(['--no-such-flag'])).toThrow(/^Unknown option '--no-such-flag'\nRun with --help to see every flag\.$/);
  });

  it('a preset with an explicit --target, or two presets, is a configuration error naming both', () => {
    expect(() => parseGenerateOptions(['--quick', '--target', '50'])).toThrow(
      /--target 50 and --quick both set the target; expected one of them\. --quick is --target 10/,
    );
    expect(() => parseGenerateOptions(['--standard', '--large'])).toThrow(ConfigError);
    expect(() => parseGenerateOptions(['--standard', '--large'])).toThrow(/--standard and --large both set the target/);
  });
});
