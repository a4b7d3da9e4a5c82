import type { ModelRoleDeclaration, Sampling } from '../../core/types.js';

const TOGETHER_FREE = 'meta-llama/Llama-3.3-70B-Instruct-Turbo-Free';
const LOCAL_MODEL = 'local-model';

/**
 * The self-play generator's values: room for a whole workspace, a one-line request, a response
 * that is one call; the response warm (`--temperature` wins over `sampling.assistant.temperature`
 * for it), the judge deterministic. The workspace and request take the provider's temperature, as
 * they always have.
 */
export const SELFPLAY_DEFAULT_SAMPLING = Object.freeze({
  environment: { maxTokens: 2_000 },
  requester: { maxTokens: 200 },
  assistant: { temperature: 0.7, maxTokens: 600 },
  judge: { temperature: 0, maxTokens: 200 },
} satisfies Record<string, Sampling>);

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
    defaultSampling: SELFPLAY_DEFAULT_SAMPLING.environment,
  },
  {
    name: 'requester',
    description: 'writes the vague request a user makes about that workspace',
    defaultModels: { mistral: 'mistral-small-latest', together: TOGETHER_FREE, huggingface: 'meta-llama/Llama-3.1-8B-Instruct', openai_compatible: LOCAL_MODEL },
    defaultSampling: SELFPLAY_DEFAULT_SAMPLING.requester,
  },
  {
    name: 'assistant',
    description: 'answers with one tool call, or a question where one is due',
    defaultModels: { mistral: 'mistral-medium-latest', together: TOGETHER_FREE, huggingface: 'Qwen/Qwen2.5-72B-Instruct', openai_compatible: LOCAL_MODEL },
    defaultSampling: SELFPLAY_DEFAULT_SAMPLING.assistant,
  },
  {
    name: 'judge',
    description: 'tells whether a response shows its behavior where no rule can (only with --judge)',
    defaultModels: { mistral: 'mistral-small-latest', together: TOGETHER_FREE, huggingface: 'Qwen/Qwen2.5-72B-Instruct', openai_compatible: LOCAL_MODEL },
    defaultSampling: SELFPLAY_DEFAULT_SAMPLING.judge,
  },
]);
