/**
 * What each tool does, in words the model reads back. Storage sits behind `EntryRepository`, so
 * this file holds the rules (validation, numbering, limits) and no SQL.
 *
 * Numbering: `recall_*` numbers a user's live entries 1, 2, 3 … in insertion order, and every
 * index a `delete_*` call gives refers to that numbering as it was before the call.
 */
import type { ToolCallParseError } from '../format/index.js';
import {
  ENTRY_WORDS,
  TOOL_DEFINITIONS,
  describeUnknownTool,
  isToolName,
  validateArguments,
  type EntryKind,
  type ToolContext,
  type ToolDefinition,
  type ToolLimits,
  type ToolResult,
} from './tool-definitions.js';

export interface StoredEntry {
  readonly id: number;
  readonly content: string;
}

/** The storage operations the tools need; `ToolStore` implements it on SQLite. */
export interface EntryRepository {
  /** The user's live (not deleted) entries of one kind, oldest first. */
  listLive(kind: EntryKind, userId: string): readonly StoredEntry[];
  insert(kind: EntryKind, userId: string, content: string, conversationId: string): void;
  markDeleted(kind: EntryKind, id: number, conversationId: string): void;
}

const LINE_BREAK_PATTERN = /\s*[\r\n]+\s*/g;
const QUOTE_LENGTH = 60;

function rejected(name: string, content: string): ToolResult {
  return { name, ok: false, content };
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** "number 3", "numbers 3 and 4", "numbers 3 to 6". */
function describeNumbers(first: number, last: number): string {
  if (first === last) return `number ${first}`;
  return last === first + 1 ? `numbers ${first} and ${last}` : `numbers ${first} to ${last}`;
}

/** One line per entry: a stored line break would otherwise look like a new numbered entry. */
function oneLine(content: string): string {
  return content.replace(LINE_BREAK_PATTERN, ' ');
}

function quote(content: string): string {
  const line = oneLine(content);
  return `"${line.length > QUOTE_LENGTH ? `${line.slice(0, QUOTE_LENGTH)}…` : line}"`;
}

function checkEntries(definition: ToolDefinition, texts: readonly string[], limits: ToolLimits): string | undefined {
  const example = `e.g. {"input_text": ["User likes jazz"]}`;
  if (texts.length === 0) {
    return `${definition.name}: \`input_text\` is an empty list; give at least one entry, ${example}.`;
  }
  if (texts.length > limits.maxEntriesPerCall) {
    const limit = limits.maxEntriesPerCall;
    return `${definition.name}: ${texts.length} entries in one call; the limit is ${limit}. Nothing was saved.`;
  }
  for (const [index, text] of texts.entries()) {
    const position = texts.length === 1 ? 'The entry' : `Entry ${index + 1}`;
    if (text.trim() === '') {
      return `${definition.name}: ${position} is empty; write the text to save. Nothing was saved.`;
    }
    if (text.length > limits.maxEntryLength) {
      return (
        `${definition.name}: ${position} is ${count(text.length)} characters long; the limit is ` +
        `${count(limits.maxEntryLength)} characters per entry. Shorten it and try again. Nothing was saved.`
      );
    }
  }
  return undefined;
}

function addEntries(
  definition: ToolDefinition,
  texts: readonly string[],
  context: ToolContext,
  repository: EntryRepository,
  limits: ToolLimits,
): ToolResult {
  const problem = checkEntries(definition, texts, limits);
  if (problem !== undefined) return rejected(definition.name, problem);
  const words = ENTRY_WORDS[definition.kind];
  const live = repository.listLive(definition.kind, context.userId).length;
  if (live + texts.length > limits.maxEntriesPerUser) {
    const room = limits.maxEntriesPerUser - live;
    const fits = room === 0 ? 'no more fit' : `only ${room} more ${room === 1 ? 'fits' : 'fit'}`;
    return rejected(
      definition.name,
      `${definition.name}: ${live} of ${limits.maxEntriesPerUser} ${words.plural} are kept and ${fits}. ` +
        `Delete some with ${words.deleteTool} first. Nothing was saved.`,
    );
  }
  for (const text of texts) repository.insert(definition.kind, context.userId, text.trim(), context.conversationId);
  const noun = texts.length === 1 ? words.singular : words.plural;
  return {
    name: definition.name,
    ok: true,
    content: `Saved ${texts.length} ${noun} (${describeNumbers(live + 1, live + texts.length)}).`,
  };
}

function recallEntries(definition: ToolDefinition, context: ToolContext, repository: EntryRepository): ToolResult {
  const words = ENTRY_WORDS[definition.kind];
  const live = repository.listLive(definition.kind, context.userId);
  if (live.length === 0) return { name: definition.name, ok: true, content: words.empty };
  const lines = live.map((entry, index) => `${index + 1}. ${oneLine(entry.content)}`);
  return { name: definition.name, ok: true, content: `${words.heading}\n${lines.join('\n')}` };
}

function checkIndices(definition: ToolDefinition, indices: readonly number[], size: number): string | undefined {
  const words = ENTRY_WORDS[definition.kind];
  if (indices.length === 0) {
    const example = '{"indices": [1]}';
    const hint = `give the numbers ${words.recallTool} shows, e.g. ${example}`;
    return `${definition.name}: \`indices\` is an empty list; ${hint}.`;
  }
  if (size === 0) return `${definition.name}: there are no ${words.plural} to delete. Nothing was deleted.`;
  const wrong = indices.filter((index) => index < 1 || index > size);
  if (wrong.length === 0) return undefined;
  const valid = size === 1 ? 'the only valid number is 1' : `valid numbers are 1 to ${size}`;
  const shown = [...new Set(wrong)];
  const list = shown.length > 5 ? `${shown.slice(0, 5).join(', ')} and ${shown.length - 5} more` : shown.join(', ');
  const missing = shown.length === 1 ? `no ${words.singular} ${list}` : `no ${words.plural} ${list}`;
  return `${definition.name}: there is ${missing}; ${valid} (see ${words.recallTool}). Nothing was deleted.`;
}

function deleteEntries(
  definition: ToolDefinition,
  indices: readonly number[],
  context: ToolContext,
  repository: EntryRepository,
): ToolResult {
  const words = ENTRY_WORDS[definition.kind];
  const live = repository.listLive(definition.kind, context.userId);
  const problem = checkIndices(definition, indices, live.length);
  if (problem !== undefined) return rejected(definition.name, problem);
  const unique = [...new Set(indices)];
  const deleted = unique.map((index) => {
    const entry = live[index - 1] as StoredEntry;
    repository.markDeleted(definition.kind, entry.id, context.conversationId);
    return `${index} (${quote(entry.content)})`;
  });
  const parts = [
    unique.length === 1
      ? `Deleted ${words.singular} ${deleted[0]}.`
      : `Deleted ${unique.length} ${words.plural}: ${deleted.join(', ')}.`,
  ];
  if (unique.length < indices.length) parts.push('Numbers listed more than once were deleted once.');
  const lowest = unique.reduce((smallest, index) => Math.min(smallest, index), Number.POSITIVE_INFINITY);
  if (lowest <= live.length - unique.length) {
    parts.push(`The remaining ${words.plural} are renumbered; ${words.recallTool} shows the new numbers.`);
  }
  return { name: definition.name, ok: true, content: parts.join(' ') };
}

/**
 * Runs one call against the repository. Never throws for bad input: an unknown tool or bad
 * arguments give `ok: false` and a message saying what is wrong and what the right form is.
 * The caller wraps it in a transaction so a rejected call changes nothing.
 */
export function runTool(
  call: { readonly name: unknown; readonly arguments: unknown },
  context: ToolContext,
  repository: EntryRepository,
  limits: ToolLimits,
): ToolResult {
  if (!isToolName(call.name)) {
    const name = typeof call.name === 'string' ? call.name : 'unknown';
    return rejected(name, describeUnknownTool(call.name));
  }
  const definition = TOOL_DEFINITIONS[call.name];
  const validation = validateArguments(definition, call.arguments);
  if (!validation.ok) return rejected(definition.name, validation.message);
  const request = validation.value;
  switch (request.action) {
    case 'add':
      return addEntries(definition, request.texts, context, repository, limits);
    case 'recall':
      return recallEntries(definition, context, repository);
    case 'delete':
      return deleteEntries(definition, request.indices, context, repository);
  }
}

/** The tool result for markup that could not be read as a call: the parser's message, not ok. */
export function parseErrorResult(error: ToolCallParseError): ToolResult {
  return { name: error.name ?? 'invalid_tool_call', ok: false, content: error.message };
}
