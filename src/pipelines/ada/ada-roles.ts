import type { ModelRoleDeclaration, Sampling } from '../../core/types.js';

/** Ada's three jobs for models, in the order her metadata lists them. */
export const ADA_ROLE_NAMES = ['tester', 'assistant', 'rewriter'] as const;
export type AdaRole = (typeof ADA_ROLE_NAMES)[number];

const TOGETHER_FREE = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-Free';
/** A local server serves whatever it loaded; the user names it in providers.openai_compatible.models. */
const LOCAL_MODEL = 'local-model';

/**
 * Warm enough for varied users, steady for Ada, conservative for the rewrite, deterministic for
 * the judge (a score should not depend on a dice roll). `sampling.<role>` in secrets.json
 * changes any of them.
 */
export const ADA_DEFAULT_SAMPLING = Object.freeze({
  tester: { temperature: 0.9, maxTokens: 512 },
  assistant: { temperature: 0.7, maxTokens: 2048 },
  rewriter: { temperature: 0.3, maxTokens: 1024 },
  judge: { temperature: 0, maxTokens: 300 },
} satisfies Record<AdaRole | 'judge', Sampling>);

/**
 * The default models follow each provider's free tier: a small model plays the user and rewrites
 * the reasoning, a larger one is Ada (README, "Defaults").
 */
export const ADA_ROLES: readonly ModelRoleDeclaration[] = Object.freeze([
  {
    name: 'tester',
    description: 'plays the simulated user',
    defaultModels: {
      mistral: 'mistral-small-latest',
      together: TOGETHER_FREE,
      huggingface: 'meta-llama/Llama-3.1-8B-Instruct',
      openai_compatible: LOCAL_MODEL,
    },
    defaultSampling: ADA_DEFAULT_SAMPLING.tester,
  },
  {
    name: 'assistant',
    description: 'is Ada, with her tools',
    defaultModels: {
      mistral: 'mistral-medium-latest',
      together: TOGETHER_FREE,
      huggingface: 'Qwen/Qwen2.5-72B-Instruct',
      openai_compatible: LOCAL_MODEL,
    },
    defaultSampling: ADA_DEFAULT_SAMPLING.assistant,
  },
  {
    name: 'rewriter',
    description: "rewrites Ada's <think> reasoning",
    defaultModels: {
      mistral: 'mistral-small-latest',
      together: TOGETHER_FREE,
      huggingface: 'meta-llama/Llama-3.1-8B-Instruct',
      openai_compatible: LOCAL_MODEL,
    },
    defaultSampling: ADA_DEFAULT_SAMPLING.rewriter,
  },
  {
    name: 'judge',
    description: 'scores each finished conversation 1-5 (only with --judge)',
    defaultModels: {
      mistral: 'mistral-small-latest',
      together: TOGETHER_FREE,
      huggingface: 'Qwen/Qwen2.5-72B-Instruct',
      openai_compatible: LOCAL_MODEL,
    },
    defaultSampling: ADA_DEFAULT_SAMPLING.judge,
  },
] satisfies readonly (ModelRoleDeclaration & { name: AdaRole | 'judge' })[]);
