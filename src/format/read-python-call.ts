/**
 * Reads a python-call style tool call such as `add_memory(input_text=["User likes jazz"])` or
 * `delete_memory([1, 2])`. Values use the tolerant reader (Python literals included); nothing is
 * evaluated.
 */
import type { ToolCatalogue } from './tool-call-types.js';
import { describePosition, readIdentifier, readTolerantValue, skipWhitespace } from './tolerant-json.js';

export type PythonCallRead =
  | {
      readonly ok: true;
      readonly name: string;
      readonly arguments: Record<string, unknown>;
      readonly end: number;
    }
  | { readonly ok: false; readonly name?: string; readonly message: string; readonly end: number };

/** A dotted name such as `functions.add_memory` is kept whole: it is the model's choice of name. */
const CALL_NAME_PATTERN = /[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/y;
const CALL_START_PATTERN = /[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*\s*\(/y;

/** True when the text at `position` starts like `name(`. */
export function looksLikePythonCall(text: string, position: number): boolean {
  CALL_START_PATTERN.lastIndex = position;
  return CALL_START_PATTERN.test(text);
}

/** Reads `name = ` at `position`, returning the name and where its value starts, if it is a keyword. */
function readKeyword(text: string, position: number): { name: string; valueStart: number } | undefined {
  const name = readIdentifier(text, position);
  if (name === undefined) return undefined;
  const equals = skipWhitespace(text, position + name.length);
  if (text[equals] !== '=' || text[equals + 1] === '=') return undefined;
  return { name, valueStart: equals + 1 };
}

interface ArgumentList {
  readonly positional: unknown[];
  readonly keywords: Map<string, unknown>;
}

/** Reads the arguments after `(` up to and including `)`; returns the index after `)`. */
function readArgumentList(
  text: string,
  start: number,
  into: ArgumentList,
): { ok: true; end: number } | { ok: false; message: string; end: number } {
  let position = start;
  for (;;) {
    position = skipWhitespace(text, position);
    if (text[position] === ')') return { ok: true, end: position + 1 };
    const keyword = readKeyword(text, position);
    const value = readTolerantValue(text, keyword?.valueStart ?? position);
    if (!value.ok) return { ok: false, message: value.message, end: value.position };
    if (keyword === undefined) {
      if (into.keywords.size > 0) {
        return { ok: false, message: 'a positional argument follows a named one', end: position };
      }
      into.positional.push(value.value);
    } else {
      if (into.keywords.has(keyword.name)) {
        return { ok: false, message: `the argument \`${keyword.name}\` is given twice`, end: position };
      }
      into.keywords.set(keyword.name, value.value);
    }
    position = skipWhitespace(text, value.end);
    if (text[position] === ',') position++;
    else if (text[position] !== ')') {
      const found = describePosition(text, position);
      return { ok: false, message: `expected "," or ")" but found ${found}`, end: position };
    }
  }
}

/** `Unknown tool "x". Valid tools: …` for a name the catalogue does not hold. */
export function describeUnknownTool(catalogue: ToolCatalogue | undefined, name: unknown): string {
  const shown = typeof name === 'string' ? `"${name.slice(0, 80)}"` : `a ${typeof name} as name`;
  return catalogue === undefined ? `Unknown tool ${shown}.` : `Unknown tool ${shown}. Valid tools: ${catalogue.signatures}.`;
}

/** Maps positional arguments onto the tool's parameters, in order. */
function nameArguments(name: string, list: ArgumentList, catalogue: ToolCatalogue | undefined): Record<string, unknown> | string {
  const result: Record<string, unknown> = {};
  if (list.positional.length > 0) {
    const parameters = catalogue?.parameters(name);
    if (parameters === undefined) {
      return `${describeUnknownTool(catalogue, name)} Positional arguments need a known tool; write name=value instead`;
    }
    if (list.positional.length > parameters.length) {
      const expected = parameters.length === 0 ? 'no arguments' : `only ${parameters.join(', ')}`;
      return `${name} takes ${expected}, but ${list.positional.length} positional argument(s) were given`;
    }
    for (const [index, value] of list.positional.entries()) {
      const parameter = parameters[index] as string;
      if (list.keywords.has(parameter)) return `the argument \`${parameter}\` is given twice`;
      result[parameter] = value;
    }
  }
  for (const [key, value] of list.keywords) {
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** Reads `name(arguments)` at `position`; the caller has checked `looksLikePythonCall`. */
export function readPythonCall(text: string, position: number, catalogue: ToolCatalogue | undefined): PythonCallRead {
  CALL_NAME_PATTERN.lastIndex = position;
  const name = CALL_NAME_PATTERN.exec(text)?.[0];
  if (name === undefined) return { ok: false, message: 'expected a tool name', end: position };
  const open = skipWhitespace(text, position + name.length);
  if (text[open] !== '(') {
    return { ok: false, name, message: `expected "(" after ${name}`, end: open };
  }
  const list: ArgumentList = { positional: [], keywords: new Map() };
  const read = readArgumentList(text, open + 1, list);
  if (!read.ok) return { ok: false, name, message: read.message, end: read.end };
  const named = nameArguments(name, list, catalogue);
  if (typeof named === 'string') return { ok: false, name, message: named, end: read.end };
  return { ok: true, name, arguments: named, end: read.end };
}
