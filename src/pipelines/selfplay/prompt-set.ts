import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { BEHAVIORS, type Behavior } from './selfplay-mix.js';

/**
 * `--prompt-set FILE`: seed prompts used instead of the requester model's requests, one or more
 * per tool. A JSON list whose entries are a prompt, or `{"prompt", "tool"?, "behavior"?}`:
 *
 *   ["what's in my projects folder?", {"prompt": "open the tacos note", "tool": "vault_read_text_file"}]
 *
 * `tool` (an offered name) says which tool the prompt is for, recorded in the example's metadata;
 * `behavior` makes it a behavioral example of that kind. The file is read at start: a bad one
 * stops the run before anything is written.
 */
export interface SeedPrompt {
  readonly prompt: string;
  readonly tool?: string;
  readonly behavior?: Behavior;
}

const BEHAVIOR_NAMES = BEHAVIORS.map((behavior) => behavior.name) as [Behavior, ...Behavior[]];

// A plain string is a prompt without a tool: read as `{"prompt": …}` so every error has one shape.
const entrySchema = z.preprocess(
  (entry) => (typeof entry === 'string' ? { prompt: entry } : entry),
  z
    .object({
      prompt: z.string().trim().min(1, 'a prompt may not be empty'),
      tool: z.string().trim().min(1).optional(),
      behavior: z.enum(BEHAVIOR_NAMES).optional(),
    })
    .strict(),
);
const promptSetSchema = z.array(entrySchema).min(1, 'the list is empty');

const SHAPE = 'a JSON list of prompts: ["a request", {"prompt": "a request", "tool": "vault_read_text_file"}]';

export function readPromptSet(file: string, cwd: string): readonly SeedPrompt[] {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new ConfigError(`--prompt-set ${full} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Give the path of ${SHAPE}.`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`--prompt-set ${full} is not valid JSON (${(error as Error).message}). Expected ${SHAPE}.`, { cause: error });
  }
  const parsed = promptSetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at [${issue.path.join('][')}]`;
    throw new ConfigError(
      `--prompt-set ${full}${where}: ${issue?.message ?? 'not a prompt set'}. Expected ${SHAPE}; "behavior" is one of ${BEHAVIOR_NAMES.join(', ')}.`,
    );
  }
  return parsed.data.map(stripUndefined);
}

/** Every `tool` a prompt names must be offered: checked once the servers have listed their tools. */
export function checkPromptSetTools(prompts: readonly SeedPrompt[], offered: readonly string[], file: string): void {
  const known = new Set(offered);
  const index = prompts.findIndex((prompt) => prompt.tool !== undefined && !known.has(prompt.tool));
  if (index === -1) return;
  throw new ConfigError(
    `--prompt-set ${file} at [${index}]: the tool "${prompts[index]?.tool}" is not offered. The tools are: ${offered.join(', ')}. Name one of them, or leave "tool" out.`,
  );
}

function stripUndefined(entry: { prompt: string; tool?: string | undefined; behavior?: Behavior | undefined }): SeedPrompt {
  return {
    prompt: entry.prompt,
    ...(entry.tool === undefined ? {} : { tool: entry.tool }),
    ...(entry.behavior === undefined ? {} : { behavior: entry.behavior }),
  };
}
