import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom, seedFromString } from '../core/random.js';
import type { ConversationPipeline } from '../pipeline/index.js';
import { UserPool, createAdaPipeline, generateSimulatedUsers, loadPrompts, loadSimulatedUsers, type Prompts, type SimulatedUser } from '../pipeline/index.js';
import type { ToolStore } from '../tools/index.js';
import type { GenerateOptions } from './run-options.js';

/** The prompts ship with the project, so they are found whatever the working directory is. */
export const PROMPTS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../systemprompts');

export interface PipelineInputs {
  readonly prompts: Prompts;
  readonly users: readonly SimulatedUser[];
}

/**
 * Read once at start, before anything is written: a missing or empty prompt file or a bad users
 * file is a ConfigError. Generated users come from the seed alone, so they (and their memories)
 * are the same across restarts.
 */
export function loadPipelineInputs(options: GenerateOptions): PipelineInputs {
  return {
    prompts: loadPrompts(PROMPTS_DIRECTORY),
    users: options.usersFile ? loadSimulatedUsers(options.usersFile) : generateSimulatedUsers(options.users, options.seed),
  };
}

export function buildPipeline(options: {
  readonly options: GenerateOptions;
  readonly inputs: PipelineInputs;
  readonly toolStore: ToolStore;
  readonly dryRun: boolean;
  /** Conversations already saved: varies the topic sequence between restarts of one seed. */
  readonly alreadySaved: number;
}): ConversationPipeline {
  const { options: run } = options;
  return createAdaPipeline({
    prompts: options.inputs.prompts,
    toolStore: options.toolStore,
    userPool: new UserPool(options.inputs.users, createRandom(seedFromString(`users:${run.seed}:${options.alreadySaved}`))),
    random: createRandom(seedFromString(`topics:${run.seed}:${options.alreadySaved}`)),
    turns: run.turns,
    maxToolRounds: run.maxToolRounds,
    rewrite: run.rewrite,
    dryRun: options.dryRun,
  });
}
