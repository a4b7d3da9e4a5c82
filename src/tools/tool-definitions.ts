/**
 * The memory and diary tools Ada can call: names, parameters, argument schemas and the words used
 * to talk about them. Everything here is data; `run-tool.ts` acts on it.
 */
import { z } from 'zod';
import { describeUnknownTool as describeUnknownToolIn, describeValue, type ToolCatalogue } from '../format/index.js';

/** Who is calling: rows belong to the simulated user and record the conversation that wrote them. */
export interface ToolContext {
  readonly userId: string;
  readonly conversationId: string;
}

/** What goes back to the model; `ok` is false for any rejected call. */
export interface ToolResult {
  readonly name: string;
  readonly ok: boolean;
  readonly content: string;
}

export const TOOL_NAMES = [
  'add_memory',
  'recall_memories',
  'delete_memory',
  'add_diary',
  'recall_diary',
  'delete_diary',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The two stores a user has; each has its own table. */
export type EntryKind = 'memory' | 'diary';
export type ToolAction = 'add' | 'recall' | 'delete';

export interface ToolDefinition {
  readonly name: ToolName;
  readonly kind: EntryKind;
  readonly action: ToolAction;
  /** Parameter names in order; python-call positional arguments map onto these. */
  readonly parameters: readonly string[];
  /** `add_memory(input_text: string[])`, as shown to the model. */
  readonly signature: string;
  /** Example arguments as JSON, as shown to the model. */
  readonly exampleArguments: string;
  readonly description: string;
}

/** How each kind of entry is spoken of in results. */
export interface EntryWords {
  readonly singular: string;
  readonly plural: string;
  readonly heading: string;
  readonly empty: string;
  readonly recallTool: ToolName;
  readonly deleteTool: ToolName;
}

export const ENTRY_WORDS: Readonly<Record<EntryKind, EntryWords>> = {
  memory: {
    singular: 'memory',
    plural: 'memories',
    heading: 'Memories:',
    empty: 'No memories saved yet.',
    recallTool: 'recall_memories',
    deleteTool: 'delete_memory',
  },
  diary: {
    singular: 'diary entry',
    plural: 'diary entries',
    heading: 'Diary entries:',
    empty: 'No diary entries yet.',
    recallTool: 'recall_diary',
    deleteTool: 'delete_diary',
  },
};

function define(
  name: ToolName,
  kind: EntryKind,
  action: ToolAction,
  description: string,
): ToolDefinition {
  const parameters = action === 'add' ? ['input_text'] : action === 'delete' ? ['indices'] : [];
  const signature =
    action === 'add'
      ? `${name}(input_text: string[])`
      : action === 'delete'
        ? `${name}(indices: number[])`
        : `${name}()`;
  const exampleArguments =
    action === 'add'
      ? '{"input_text": ["User likes jazz"]}'
      : action === 'delete'
        ? '{"indices": [1]}'
        : '{}';
  return { name, kind, action, parameters, signature, exampleArguments, description };
}

export const TOOL_DEFINITIONS: Readonly<Record<ToolName, ToolDefinition>> = {
  add_memory: define('add_memory', 'memory', 'add', 'Save facts about the user to remember in later conversations.'),
  recall_memories: define('recall_memories', 'memory', 'recall', 'List saved memories, numbered from 1.'),
  delete_memory: define('delete_memory', 'memory', 'delete', 'Delete memories by the numbers recall_memories shows.'),
  add_diary: define('add_diary', 'diary', 'add', "Write entries in Ada's own diary."),
  recall_diary: define('recall_diary', 'diary', 'recall', 'List diary entries, numbered from 1.'),
  delete_diary: define('delete_diary', 'diary', 'delete', 'Delete diary entries by the numbers recall_diary shows.'),
};

const TOOL_NAME_SET: ReadonlySet<string> = new Set(TOOL_NAMES);

export function isToolName(name: unknown): name is ToolName {
  return typeof name === 'string' && TOOL_NAME_SET.has(name);
}

/** Every tool's signature on one line, for messages that list the valid tools. */
export const TOOL_SIGNATURES = TOOL_NAMES.map((name) => TOOL_DEFINITIONS[name].signature).join(', ');

/** Ada's tools as the call parser needs them: positional parameters, and the example its messages teach. */
export const ADA_TOOL_CATALOGUE: ToolCatalogue = Object.freeze({
  parameters: (name: string) => (isToolName(name) ? TOOL_DEFINITIONS[name].parameters : undefined),
  signatures: TOOL_SIGNATURES,
  example: { name: 'add_memory', arguments: { input_text: ['User likes jazz'] } },
});

export function describeUnknownTool(name: unknown): string {
  return describeUnknownToolIn(ADA_TOOL_CATALOGUE, name);
}

/** Limits that keep the database and the prompts built from recall results a sane size. */
export interface ToolLimits {
  /**
   * Longest accepted entry in characters; longer entries are refused with a clear result rather
   * than truncated, so a saved conversation never claims to store text it did not store.
   * @default 4000
   */
  readonly maxEntryLength: number;
  /** Most entries one add call may save. @default 20 */
  readonly maxEntriesPerCall: number;
  /** Most live entries one user may keep per kind (memories, diary). @default 200 */
  readonly maxEntriesPerUser: number;
}

export const DEFAULT_TOOL_LIMITS: ToolLimits = Object.freeze({
  maxEntryLength: 4000,
  maxEntriesPerCall: 20,
  maxEntriesPerUser: 200,
});

const INTEGER_TEXT_PATTERN = /^\s*[-+]?\d+\s*$/;

/** A single string where a list is expected is a common model slip: accept it as one entry. */
function wrapSingle(value: unknown): unknown {
  return typeof value === 'string' ? [value] : value;
}

/** "2" means 2 and a lone 2 means [2]; anything else is left for the schema to reject. */
function normalizeIndices(value: unknown): unknown {
  const toNumber = (item: unknown): unknown =>
    typeof item === 'string' && INTEGER_TEXT_PATTERN.test(item) ? Number(item) : item;
  if (Array.isArray(value)) return value.map(toNumber);
  if (typeof value === 'number' || typeof value === 'string') return [toNumber(value)];
  return value;
}

const textList = z.preprocess(
  wrapSingle,
  z.array(
    z.string({ error: (issue) => `must hold only text, but one entry is ${describeValue(issue.input)}` }),
    {
      error: (issue) =>
        issue.input === undefined ? 'is missing' : `must be a list of strings, got ${describeValue(issue.input)}`,
    },
  ),
);

const indexList = z.preprocess(
  normalizeIndices,
  z.array(
    z.number({ error: (issue) => `must hold only whole numbers, but one is ${describeValue(issue.input)}` }).int({
      error: (issue) => `must hold only whole numbers, but one is ${describeValue(issue.input)}`,
    }),
    {
      error: (issue) =>
        issue.input === undefined ? 'is missing' : `must be a list of numbers, got ${describeValue(issue.input)}`,
    },
  ),
);

const SCHEMAS = {
  add: z.strictObject({ input_text: textList }),
  recall: z.strictObject({}),
  delete: z.strictObject({ indices: indexList }),
} as const;

export type ValidatedArguments =
  | { readonly action: 'add'; readonly texts: readonly string[] }
  | { readonly action: 'recall' }
  | { readonly action: 'delete'; readonly indices: readonly number[] };

export type ArgumentValidation =
  | { readonly ok: true; readonly value: ValidatedArguments }
  | { readonly ok: false; readonly message: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => `\`${key}\``).join(', ');
        return `unexpected argument${issue.keys.length === 1 ? '' : 's'} ${keys}`;
      }
      return `\`${String(issue.path[0] ?? 'arguments')}\` ${issue.message}`;
    })
    .join('; ');
}

/** Checks the shape of a call's arguments; the content rules (length, range) live in run-tool. */
export function validateArguments(definition: ToolDefinition, input: unknown): ArgumentValidation {
  const argumentsObject = input === undefined || input === null ? {} : input;
  const usage = `Expected ${definition.signature}, e.g. arguments ${definition.exampleArguments}.`;
  if (typeof argumentsObject !== 'object' || Array.isArray(argumentsObject)) {
    return {
      ok: false,
      message: `${definition.name}: arguments must be an object, got ${describeValue(argumentsObject)}. ${usage}`,
    };
  }
  const failure = (error: z.ZodError): ArgumentValidation => ({
    ok: false,
    message: `${definition.name}: ${describeIssues(error)}. ${usage}`,
  });
  switch (definition.action) {
    case 'add': {
      const parsed = SCHEMAS.add.safeParse(argumentsObject);
      if (!parsed.success) return failure(parsed.error);
      return { ok: true, value: { action: 'add', texts: parsed.data.input_text } };
    }
    case 'delete': {
      const parsed = SCHEMAS.delete.safeParse(argumentsObject);
      if (!parsed.success) return failure(parsed.error);
      return { ok: true, value: { action: 'delete', indices: parsed.data.indices } };
    }
    case 'recall': {
      const parsed = SCHEMAS.recall.safeParse(argumentsObject);
      return parsed.success ? { ok: true, value: { action: 'recall' } } : failure(parsed.error);
    }
  }
}
