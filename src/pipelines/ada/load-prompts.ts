import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { findPlaceholders, TESTER_PLACEHOLDERS } from './prompt-template.js';
import { splitThinkingSection } from './thinking-section.js';

/** The three system prompts of the Ada pipeline, read once at start. */
export interface Prompts {
  /** Ada's persona and tool instructions (`ada.md`), sent as the assistant's system prompt. */
  readonly ada: string;
  /** The simulated user's instructions (`tester.md`), with `{{placeholders}}` for persona and topic. */
  readonly tester: string;
  /** The thinking-rewrite instructions (`rewriter.md`). */
  readonly rewriter: string;
  /**
   * The part of `ada` that tells the model to think (marked `<!-- thinking -->` in the file), as it
   * stands in `ada`; saved in `metadata.thinkingInstruction`. Undefined when the file marks none.
   */
  readonly adaThinkingInstruction?: string;
}

export const PROMPT_FILES: Readonly<Record<'ada' | 'tester' | 'rewriter', string>> = {
  ada: 'ada.md',
  tester: 'tester.md',
  rewriter: 'rewriter.md',
};

const ALLOWED_TESTER_PLACEHOLDERS: ReadonlySet<string> = new Set(TESTER_PLACEHOLDERS);

function readPrompt(directory: string, file: string): string {
  const filePath = path.join(directory, file);
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(
      `The prompt file ${filePath} ${reason}. Create it (the repository's systemprompts/${file} is a starting point) or point the prompts directory at a folder that holds ${Object.values(PROMPT_FILES).join(', ')}.`,
      { cause: error },
    );
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new ConfigError(
      `The prompt file ${filePath} is empty. Write the prompt into it (the repository's systemprompts/${file} is a starting point).`,
    );
  }
  return trimmed;
}

/** A typo such as `{{nmae}}` would reach the model verbatim; refuse it at start instead. */
function checkTesterPlaceholders(directory: string, template: string): void {
  const unknown = findPlaceholders(template).filter((name) => !ALLOWED_TESTER_PLACEHOLDERS.has(name));
  if (unknown.length === 0) return;
  const shown = unknown.map((name) => `{{${name}}}`).join(', ');
  const allowed = TESTER_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');
  throw new ConfigError(
    `The prompt file ${path.join(directory, PROMPT_FILES.tester)} uses unknown placeholder(s) ${shown}. Use only ${allowed}.`,
  );
}

/**
 * Reads `ada.md`, `tester.md` and `rewriter.md` from `directory`. A missing, unreadable or empty
 * file, an unknown placeholder in the tester prompt, or unpaired thinking markers in `ada.md` is a
 * `ConfigError` naming the file.
 */
export function loadPrompts(directory: string): Prompts {
  const ada = splitThinkingSection(readPrompt(directory, PROMPT_FILES.ada), path.join(directory, PROMPT_FILES.ada));
  const prompts: Prompts = {
    ada: ada.prompt,
    ...(ada.thinkingInstruction === undefined ? {} : { adaThinkingInstruction: ada.thinkingInstruction }),
    tester: readPrompt(directory, PROMPT_FILES.tester),
    rewriter: readPrompt(directory, PROMPT_FILES.rewriter),
  };
  checkTesterPlaceholders(directory, prompts.tester);
  return Object.freeze(prompts);
}
