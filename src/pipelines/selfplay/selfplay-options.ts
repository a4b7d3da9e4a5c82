import type { PipelineOptions } from '../contract.js';
import { ConfigError } from '../../core/errors.js';
import { parseInteger, parseNumber } from '../option-parsers.js';

/** The self-play pipeline's own `generate` flags (README, "Self-play on MCP tools"). */
export interface SelfplayOptions {
  /** Run each valid call in the conversation's sandbox; a call that fails makes the example invalid. */
  readonly executeTools: boolean;
  /** Skip validation: every example is labelled true. */
  readonly validate: boolean;
  /** Sampling temperature of the response step; wins over `sampling.assistant.temperature`. @default that, else 0.7 */
  readonly temperature: number | undefined;
  /** Responses per request: each one its own example, judged on its own. */
  readonly numVariations: number;
  /** A JSON list of seed prompts used instead of the requester model's requests; read at start. */
  readonly promptSet: string | undefined;
  /** Ask the judge model about the behaviors no rule can tell (strategic tool selection, workspace awareness). */
  readonly judge: boolean;
  /** Keep, beside the messages, the request behind the user message and the reply. */
  readonly annotate: boolean;
}

/** The range `sampling.<role>.temperature` takes in secrets.json: what every provider type accepts. */
function parseTemperature(text: string): number {
  const value = parseNumber('--temperature', text, 0);
  if (value > 2) throw new ConfigError(`--temperature expects a temperature from 0 to 2, got "${text}".`);
  return value;
}

export const SELFPLAY_OPTIONS: PipelineOptions<SelfplayOptions> = {
  executeTools: { flag: 'no-execute-tools', help: 'check calls without running them in the sandbox', default: true, whenGiven: false },
  validate: { flag: 'no-validate', help: 'label every example valid, without checks', default: true, whenGiven: false },
  temperature: {
    flag: 'temperature',
    valueName: 'T',
    help: 'sampling temperature of the response step, 0 to 2 (1.5 at most with Mistral); wins over sampling.assistant.temperature in secrets.json',
    default: undefined,
    defaultText: 'sampling.assistant.temperature, else 0.7',
    parse: parseTemperature,
  },
  numVariations: {
    flag: 'num-variations',
    valueName: 'N',
    help: 'responses per request, each its own example',
    default: 1,
    defaultText: '1',
    parse: (text) => parseInteger('--num-variations', text, 1),
  },
  promptSet: {
    flag: 'prompt-set',
    valueName: 'FILE',
    help: 'a JSON list of seed prompts, one or more per tool, used instead of generated requests',
    default: undefined,
    parse: (text) => text,
  },
  judge: {
    flag: 'judge',
    help: 'ask the judge model whether a behavioral response shows its behavior where no rule can tell (one more request for those)',
    default: false,
    whenGiven: true,
  },
  annotate: {
    flag: 'annotate',
    help: 'keep in each line the request behind the user message and the reply (annotations)',
    default: false,
    whenGiven: true,
  },
};
