import type { PipelineOptions } from '../contract.js';
import { parseNumber } from '../option-parsers.js';

/** The self-play pipeline's own `generate` flags (README, "Self-play on MCP tools"). */
export interface SelfplayOptions {
  /** Run each valid call in the conversation's sandbox; a call that fails makes the example invalid. */
  readonly executeTools: boolean;
  /** Skip validation: every example is labelled true. */
  readonly validate: boolean;
  /** Sampling temperature of the response step. */
  readonly temperature: number;
}

export const SELFPLAY_OPTIONS: PipelineOptions<SelfplayOptions> = {
  executeTools: { flag: 'no-execute-tools', help: 'check calls without running them in the sandbox', default: true, whenGiven: false },
  validate: { flag: 'no-validate', help: 'label every example valid, without checks', default: true, whenGiven: false },
  temperature: {
    flag: 'temperature',
    valueName: 'T',
    help: 'sampling temperature of the response step',
    default: 0.7,
    defaultText: '0.7',
    parse: (text) => parseNumber('--temperature', text, 0),
  },
};
