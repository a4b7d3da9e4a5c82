import type { Random } from '../../core/random.js';

/**
 * The mix of the self-play generator this pipeline follows: which kind of workspace, which kind of
 * request and, for behavioral requests, which behavior. Shares are drawn per example from the
 * seeded random, so a run's mix is reproducible and converges to these shares.
 */

interface Weighted<Name extends string> {
  readonly name: Name;
  readonly share: number;
  /** What the prompt asks of the model for this choice. */
  readonly instructions: string;
}

export const ENVIRONMENT_VARIATIONS = [
  {
    name: 'simple',
    share: 0.2,
    instructions: 'A simple workspace: 3 to 5 files, at most two folders, tidy.',
  },
  {
    name: 'complex',
    share: 0.5,
    instructions:
      'A complex workspace: 10 to 15 files in nested folders, with realistic mess: a duplicate note, an inbox folder of unsorted notes, an old archive, inconsistent file names.',
  },
  {
    name: 'project',
    share: 0.2,
    instructions:
      'A project-focused workspace: one or two projects with meeting notes, task lists, decisions and a timeline, 6 to 10 files.',
  },
  {
    name: 'knowledge-base',
    share: 0.1,
    instructions:
      'A knowledge base: topic notes that link to each other with [[wiki-links]], an index note, 8 to 12 files.',
  },
] as const satisfies readonly Weighted<string>[];

export type EnvironmentVariation = (typeof ENVIRONMENT_VARIATIONS)[number]['name'];

export const BEHAVIORS = [
  {
    name: 'intellectual-humility',
    share: 0.25,
    instructions:
      'The request is ambiguous in a way no tool can settle (two notes could match, or a key detail is missing), so a good assistant asks a clarifying question.',
  },
  {
    name: 'error-recovery',
    share: 0.2,
    instructions:
      'The request refers to something that is not quite where or what the person thinks (a wrong folder, a misremembered name), so a good assistant looks before acting.',
  },
  {
    name: 'verification-before-action',
    share: 0.2,
    instructions:
      'The request asks for a destructive or bulk change (delete, move or overwrite several notes), so a good assistant confirms before doing it.',
  },
  {
    name: 'strategic-tool-selection',
    share: 0.2,
    instructions:
      'The request could be served by several tools, one clearly better (search rather than reading every file), so a good assistant picks that one.',
  },
  {
    name: 'workspace-awareness',
    share: 0.15,
    instructions:
      'The request only makes sense with the workspace in mind (its folders, naming habits), so a good assistant uses what it knows of the workspace.',
  },
] as const satisfies readonly Weighted<string>[];

export type Behavior = (typeof BEHAVIORS)[number]['name'];

/** Share of examples whose request is a plain tool task; the rest test a behavior. */
export const TOOL_BASED_SHARE = 0.7;

export const TOOL_BASED_INSTRUCTIONS =
  'A plain task that one tool call serves: find, read, create, move or edit a note or folder the person has in mind.';

export type ExamplePlan =
  | { readonly type: 'tool-based'; readonly environment: EnvironmentVariation }
  | { readonly type: 'behavioral'; readonly environment: EnvironmentVariation; readonly behavior: Behavior };

/** One example's kind of workspace and request, drawn with the shares above. */
export function drawExamplePlan(random: Random): ExamplePlan {
  const environment = drawWeighted(random, ENVIRONMENT_VARIATIONS).name;
  if (random() < TOOL_BASED_SHARE) return { type: 'tool-based', environment };
  return { type: 'behavioral', environment, behavior: drawWeighted(random, BEHAVIORS).name };
}

/** What the user-request prompt asks for this plan. */
export function requestInstructions(plan: ExamplePlan): string {
  if (plan.type === 'tool-based') return TOOL_BASED_INSTRUCTIONS;
  return BEHAVIORS.find((behavior) => behavior.name === plan.behavior)?.instructions ?? TOOL_BASED_INSTRUCTIONS;
}

export function environmentInstructions(variation: EnvironmentVariation): string {
  return ENVIRONMENT_VARIATIONS.find((candidate) => candidate.name === variation)?.instructions ?? '';
}

function drawWeighted<Item extends { readonly share: number }>(random: Random, items: readonly Item[]): Item {
  let point = random() * items.reduce((sum, item) => sum + item.share, 0);
  for (const item of items) {
    point -= item.share;
    if (point < 0) return item;
  }
  return items[items.length - 1] as Item;
}
