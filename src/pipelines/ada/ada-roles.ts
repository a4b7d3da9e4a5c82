import type { ModelRoleDeclaration } from '../../core/types.js';

/** Ada's three jobs for models, in the order her metadata lists them. */
export const ADA_ROLE_NAMES = ['tester', 'assistant', 'rewriter'] as const;
export type AdaRole = (typeof ADA_ROLE_NAMES)[number];

const TOGETHER_FREE = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-Free';
/** A local server serves whatever it loaded; the user names it in providers.openai_compatible.models. */
const LOCAL_MODEL = 'local-model';

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
  },
] satisfies readonly (ModelRoleDeclaration & { name: AdaRole | 'judge' })[]);
