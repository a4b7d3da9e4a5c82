import type { ModelRoleDeclaration } from '../../core/types.js';

const TOGETHER_FREE = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-Free';
const LOCAL_MODEL = 'local-model';

/**
 * The self-play generator's three steps (and the optional judge), each a role a provider can serve with its own model: the
 * environment and the request want imagination (a small model does), the response is the one the
 * dataset trains, so it gets the strongest default.
 */
export const SELFPLAY_ROLES: readonly ModelRoleDeclaration[] = Object.freeze([
  {
    name: 'environment',
    description: 'describes a workspace of notes',
    defaultModels: { mistral: 'mistral-small-latest', together: TOGETHER_FREE, huggingface: 'meta-llama/Llama-3.1-8B-Instruct', openai_compatible: LOCAL_MODEL },
  },
  {
    name: 'requester',
    description: 'writes the vague request a user makes about that workspace',
    defaultModels: { mistral: 'mistral-small-latest', together: TOGETHER_FREE, huggingface: 'meta-llama/Llama-3.1-8B-Instruct', openai_compatible: LOCAL_MODEL },
  },
  {
    name: 'assistant',
    description: 'answers with one tool call, or a question where one is due',
    defaultModels: { mistral: 'mistral-medium-latest', together: TOGETHER_FREE, huggingface: 'Qwen/Qwen2.5-72B-Instruct', openai_compatible: LOCAL_MODEL },
  },
  {
    name: 'judge',
    description: 'tells whether a response shows its behavior where no rule can (only with --judge)',
    defaultModels: { mistral: 'mistral-small-latest', together: TOGETHER_FREE, huggingface: 'Qwen/Qwen2.5-72B-Instruct', openai_compatible: LOCAL_MODEL },
  },
]);
