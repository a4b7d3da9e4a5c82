import type { SavedConversation } from '../format/index.js';

/** `metadata.simulatedUser.name=Ana`: a dot path into the conversation object and the expected value. */
export interface WhereFilter {
  readonly path: readonly string[];
  readonly value: string;
}

/**
 * Parses `<path>=<value>` (split at the first `=`, so the value may contain `=`).
 * @throws RangeError with a message fit for the command line.
 */
export function parseWhereFilter(text: string): WhereFilter {
  const separator = text.indexOf('=');
  const path = separator === -1 ? [] : text.slice(0, separator).split('.');
  if (separator <= 0 || path.some((segment) => segment.length === 0)) {
    throw new RangeError(`Expected --where as <path>=<value> (e.g. metadata.simulatedUser.name=Ana), got \`${text}\``);
  }
  return { path, value: text.slice(separator + 1) };
}

/**
 * Whether the value at `path` equals `value` as a string: strings as they are, numbers, booleans and
 * null through `String()`. Objects, arrays and missing paths never match. Array elements are reached
 * by index (`conversations.0.role=system`).
 */
export function matchesWhere(conversation: SavedConversation, filter: WhereFilter): boolean {
  let current: unknown = conversation;
  for (const segment of filter.path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === null) return filter.value === 'null';
  if (typeof current === 'string') return current === filter.value;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current) === filter.value;
  return false;
}

/** Whether the conversation made at least one tool call (`metadata.toolCalls` non-empty). */
export function hasToolCalls(conversation: SavedConversation): boolean {
  const toolCalls = conversation.metadata['toolCalls'];
  return Array.isArray(toolCalls) && toolCalls.length > 0;
}

/** What `--with-tools` and `--where` ask of a conversation, as every export applies them. */
export interface SelectionOptions {
  /** @default false */
  readonly withTools?: boolean;
  /** @default [] */
  readonly where?: readonly WhereFilter[];
}

/** Whether the conversation passes `--with-tools` and every `--where`. */
export function isSelected(conversation: SavedConversation, options: SelectionOptions): boolean {
  if (options.withTools === true && !hasToolCalls(conversation)) return false;
  return (options.where ?? []).every((filter) => matchesWhere(conversation, filter));
}
