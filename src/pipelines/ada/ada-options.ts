import { ConfigError } from '../../core/errors.js';
import type { PipelineOptions } from '../contract.js';
import { parseInteger } from '../option-parsers.js';
import { DEFAULT_USER_COUNT } from './simulated-users.js';

/** Ada's own `generate` flags, parsed (README, "npm run generate"). */
export interface AdaOptions {
  readonly users: number;
  /** A JSON list of simulated users instead of generated ones. */
  readonly usersFile: string | undefined;
  readonly turns: { readonly min: number; readonly max: number };
  readonly maxToolRounds: number;
  readonly rewrite: boolean;
  /** Label each conversation (`label`, `report.issues`); invalid ones go beside the output. */
  readonly validate: boolean;
  /** Empty the memory/diary database before starting. */
  readonly resetTools: boolean;
  /** Score each finished conversation with the judge model (`report.judge`). */
  readonly judge: boolean;
  /** Below this judge score a conversation is invalid (`judge-low-score`); undefined: scores only inform. */
  readonly minScore: number | undefined;
  /** Keep, beside the messages, the request behind each one and the reasoning the rewriter replaced. */
  readonly annotate: boolean;
  /** Share of conversations to steer toward her tools (0 to 1); undefined: no steering. */
  readonly toolShare: number | undefined;
}

export const ADA_OPTIONS: PipelineOptions<AdaOptions> = {
  users: {
    flag: 'users',
    valueName: 'N',
    help: 'simulated users in the pool, generated from --seed',
    default: DEFAULT_USER_COUNT,
    defaultText: String(DEFAULT_USER_COUNT),
    parse: (text) => parseInteger('--users', text, 1),
  },
  usersFile: {
    flag: 'users-file',
    valueName: 'PATH',
    help: 'simulated users listed in a JSON file instead (see README)',
    default: undefined,
    parse: (text) => text,
  },
  turns: {
    flag: 'turns',
    valueName: 'MIN-MAX',
    help: 'user/assistant exchanges per conversation',
    default: { min: 1, max: 3 },
    defaultText: '1-3',
    parse: parseTurns,
  },
  maxToolRounds: {
    flag: 'max-tool-rounds',
    valueName: 'N',
    help: 'tool-call rounds per assistant turn',
    default: 3,
    defaultText: '3',
    parse: (text) => parseInteger('--max-tool-rounds', text, 0),
  },
  rewrite: { flag: 'no-rewrite', help: "keep the assistant's <think> blocks as written", default: true, whenGiven: false },
  validate: { flag: 'no-validate', help: 'save every conversation unjudged: no label, no report, no invalid file', default: true, whenGiven: false },
  resetTools: { flag: 'reset-tools', help: 'empty the memory/diary database before starting', default: false, whenGiven: true },
  judge: { flag: 'judge', help: 'score each conversation 1-5 with the judge model (one more request each; off by default)', default: false, whenGiven: true },
  minScore: {
    flag: 'min-score',
    valueName: 'N',
    help: 'with --judge: a conversation scored below N (1-5) is labelled invalid (judge-low-score)',
    default: undefined,
    parse: parseMinScore,
  },
  annotate: {
    flag: 'annotate',
    help: 'keep in each line the request behind every message and the reasoning the rewriter replaced (annotations)',
    default: false,
    whenGiven: true,
  },
  toolShare: {
    flag: 'tool-share',
    valueName: 'SHARE',
    help: "aim for this share (0 to 1) of conversations using Ada's tools, by steering the tester's topic; default: no steering",
    default: undefined,
    parse: parseToolShare,
  },
};

/** A share, not a percentage: "70" is far more likely a slip for 0.7 than a wish, so it is refused, not clamped. */
function parseToolShare(text: string): number {
  const share = Number(text);
  if (text.trim() === '' || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new ConfigError(`--tool-share expects a share of conversations from 0 to 1 (e.g. 0.7 for 70 % with tools), got "${text}".`);
  }
  return share;
}

function parseMinScore(text: string): number {
  const score = parseInteger('--min-score', text, 1);
  if (score > 5) throw new ConfigError(`--min-score expects a judge score from 1 to 5, got "${text}".`);
  return score;
}

function parseTurns(text: string): { min: number; max: number } {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const min = Number(match?.[1]);
  const max = Number(match?.[2] ?? match?.[1]);
  if (!match || min < 1 || max < min) throw new ConfigError(`--turns expects MIN-MAX with 1 <= MIN <= MAX (e.g. 1-3), got "${text}".`);
  return { min, max };
}
