/**
 * Readers for each kind of tool-call markup. Each takes the text and where the markup starts and
 * returns what it found (calls and failures) and where its span of text ends.
 */
import { toSpacedJson } from './format-tool-call.js';
import { looksLikePythonCall, readPythonCall } from './read-python-call.js';
import { callsFromValue, normalizeArguments, type CallValue } from './tool-call-values.js';
import type { ParsedToolCall, ToolCallFormat, ToolCallParseError, ToolCatalogue } from './tool-call-types.js';
import { describePosition, readTolerantValue, skipWhitespace } from './tolerant-json.js';

/** Where a call may start: a tag, the Mistral marker, or a plain `tool_call:` line. */
export const MARKUP_PATTERN = /<tool_call>|\[TOOL_CALLS\]|^[ \t]*tool_call[ \t]*:/gim;
const TAG_BOUNDARY_PATTERN = /<\/?tool_call>/gi;
const FENCE_OPEN_PATTERN = /```[\w+-]*/y;
const FENCE_CLOSE_PATTERN = /\s*```/y;
const TAG_LEFTOVER_PATTERN = /(?:\s|```[\w+-]*|[}\]),;])*/y;
const MISTRAL_NAME_PATTERN = /([A-Za-z_][\w.-]*)[ \t]*(?:\[CALL_ID\][ \t]*[\w-]*[ \t]*)?(?:\[ARGS\])?/y;
const PLAIN_NAME_PATTERN = /[ \t]*["'`]?([A-Za-z_][\w.-]*)["'`]?[ \t]*/y;
const PLAIN_ARGUMENTS_PATTERN = /[ \t]*\r?\n\s*(?:arguments|parameters|args)[ \t]*:[ \t]*/iy;
const REST_OF_LINE_PATTERN = /[ \t]*(?:\r?\n|$)/y;

/** The example a parse error shows when the caller names no tools. */
const GENERIC_EXAMPLE = { name: 'tool_name', arguments: { argument: 'value' } } as const;

/** Built once per catalogue: a runaway reply can hold thousands of unreadable calls. */
const rightForms = new WeakMap<object, Readonly<Record<ToolCallFormat, string>>>();

/** How a parse error tells the model to write a call, in the syntax it tried, with a real example. */
function rightForm(format: ToolCallFormat, catalogue: ToolCatalogue | undefined): string {
  const key = catalogue ?? GENERIC_EXAMPLE;
  let forms = rightForms.get(key);
  if (forms === undefined) {
    const example = catalogue?.example ?? GENERIC_EXAMPLE;
    forms = { hermes: describeForm('hermes', example), python: describeForm('python', example), mistral: describeForm('mistral', example), plain: describeForm('plain', example) };
    rightForms.set(key, forms);
  }
  return forms[format];
}

function describeForm(format: ToolCallFormat, example: ToolCatalogue['example']): string {
  const call = toSpacedJson({ name: example.name, arguments: example.arguments });
  const argumentsJson = toSpacedJson(example.arguments);
  switch (format) {
    case 'hermes':
      return `Write each call as <tool_call>${call}</tool_call>.`;
    case 'python': {
      const named = Object.entries(example.arguments).map(([key, value]) => `${key}=${toSpacedJson(value)}`);
      return `Write each call as <tool_call>${example.name}(${named.join(', ')})</tool_call>.`;
    }
    case 'mistral':
      return `Write calls as [TOOL_CALLS] [${call}].`;
    case 'plain':
      return `Write the line tool_call: ${example.name} and below it the line arguments: ${argumentsJson}.`;
  }
}

/** What one piece of markup produced and the span of text it covers. */
export interface Segment {
  readonly end: number;
  readonly found: readonly ((ParsedToolCall & { ok: true }) | (ToolCallParseError & { ok: false }))[];
}

export function failure(format: ToolCallFormat, raw: string, detail: string, catalogue: ToolCatalogue | undefined, name?: string) {
  const message = `Could not read the tool call: ${detail}. ${rightForm(format, catalogue)}`;
  return { ok: false as const, format, raw, message, ...(name === undefined ? {} : { name }) };
}

function toFound(value: CallValue, format: ToolCallFormat, raw: string, catalogue: ToolCatalogue | undefined): Segment['found'][number] {
  if (value.ok) return { ok: true, name: value.name, arguments: value.arguments, format, raw };
  return failure(format, raw, value.message, catalogue, value.name);
}

/** Skips whitespace and an opening code fence; tells whether a fence was opened. */
function skipFenceOpening(text: string, position: number): { position: number; fenced: boolean } {
  const start = skipWhitespace(text, position);
  FENCE_OPEN_PATTERN.lastIndex = start;
  if (!FENCE_OPEN_PATTERN.test(text)) return { position: start, fenced: false };
  return { position: skipWhitespace(text, FENCE_OPEN_PATTERN.lastIndex), fenced: true };
}

function skipFenceClosing(text: string, position: number, fenced: boolean): number {
  if (!fenced) return position;
  FENCE_CLOSE_PATTERN.lastIndex = position;
  return FENCE_CLOSE_PATTERN.test(text) ? FENCE_CLOSE_PATTERN.lastIndex : position;
}

/** Reads one item in a tag at `position`: a python call, or a JSON value holding call(s). */
function readTagItem(content: string, position: number, raw: string, first: boolean, catalogue: ToolCatalogue | undefined) {
  if (looksLikePythonCall(content, position)) {
    const call = readPythonCall(content, position, catalogue);
    const found = call.ok
      ? [{ ok: true as const, name: call.name, arguments: call.arguments, format: 'python' as const, raw }]
      : [failure('python', raw, call.message, catalogue, call.name)];
    return { end: call.end, found, failed: !call.ok };
  }
  const opener = content[position];
  if (opener !== '{' && opener !== '[' && !(first && (opener === '"' || opener === "'"))) {
    const detail = `expected a JSON object or name(arguments) but found ${describePosition(content, position)}`;
    return { end: position, found: [failure('hermes', raw, detail, catalogue)], failed: true };
  }
  const value = readTolerantValue(content, position);
  if (!value.ok) {
    const detail = value.position >= content.length ? `the call is cut off (${value.message})` : value.message;
    return { end: value.position, found: [failure('hermes', raw, detail, catalogue)], failed: true };
  }
  const found = callsFromValue(value.value).map((call) => toFound(call, 'hermes', raw, catalogue));
  return { end: value.end, found, failed: false };
}

function parseTag(text: string, start: number, contentStart: number, catalogue: ToolCatalogue | undefined): Segment {
  TAG_BOUNDARY_PATTERN.lastIndex = contentStart;
  const boundary = TAG_BOUNDARY_PATTERN.exec(text);
  const closed = boundary !== null && boundary[0][1] === '/';
  const limit = boundary === null ? text.length : boundary.index;
  const content = text.slice(0, limit);
  if (!closed) {
    // Unclosed: one call, then the reply may go on as ordinary text.
    const opening = skipFenceOpening(content, contentStart);
    if (opening.position >= content.length) {
      return { end: limit, found: [failure('hermes', text.slice(start, limit), 'the <tool_call> tag is empty', catalogue)] };
    }
    const item = readTagItem(content, opening.position, '', true, catalogue);
    const end = item.failed ? limit : skipFenceClosing(content, item.end, opening.fenced);
    const raw = text.slice(start, end);
    return { end, found: item.found.map((found) => ({ ...found, raw })) };
  }
  const end = limit + boundary[0].length;
  const raw = text.slice(start, end);
  const found: Segment['found'][number][] = [];
  let position = skipFenceOpening(content, contentStart).position;
  while (position < limit) {
    const item = readTagItem(content, position, raw, found.length === 0, catalogue);
    found.push(...item.found);
    if (item.failed) break;
    TAG_LEFTOVER_PATTERN.lastIndex = item.end;
    TAG_LEFTOVER_PATTERN.test(content);
    position = TAG_LEFTOVER_PATTERN.lastIndex;
  }
  if (found.length === 0) found.push(failure('hermes', raw, 'the <tool_call> tag is empty', catalogue));
  return { end, found };
}

function nextMarkupStart(text: string, from: number): number {
  MARKUP_PATTERN.lastIndex = from;
  return MARKUP_PATTERN.exec(text)?.index ?? text.length;
}

function parseMistral(text: string, start: number, afterMarker: number, catalogue: ToolCatalogue | undefined): Segment {
  const opening = skipFenceOpening(text, afterMarker);
  const failAt = (detail: string, name?: string): Segment => {
    const end = nextMarkupStart(text, afterMarker);
    return { end, found: [failure('mistral', text.slice(start, end), detail, catalogue, name)] };
  };
  const opener = text[opening.position];
  if (opener === '[' || opener === '{') {
    const value = readTolerantValue(text, opening.position);
    if (!value.ok) return failAt(value.message);
    const end = skipFenceClosing(text, value.end, opening.fenced);
    const raw = text.slice(start, end);
    return { end, found: callsFromValue(value.value, false).map((call) => toFound(call, 'mistral', raw, catalogue)) };
  }
  MISTRAL_NAME_PATTERN.lastIndex = opening.position;
  const named = MISTRAL_NAME_PATTERN.exec(text);
  const name = named?.[1];
  if (named === null || name === undefined) {
    return failAt(`expected a list of calls after [TOOL_CALLS] but found ${describePosition(text, opening.position)}`);
  }
  const argumentsStart = skipWhitespace(text, MISTRAL_NAME_PATTERN.lastIndex);
  let end = MISTRAL_NAME_PATTERN.lastIndex;
  let argumentsValue: unknown;
  if (text[argumentsStart] === '{' || text[argumentsStart] === '"') {
    const value = readTolerantValue(text, argumentsStart);
    if (!value.ok) return failAt(value.message, name);
    argumentsValue = value.value;
    end = value.end;
  } else {
    // A bare name is a call without arguments only when nothing else follows on its line.
    REST_OF_LINE_PATTERN.lastIndex = end;
    if (!REST_OF_LINE_PATTERN.test(text)) {
      return failAt(`unexpected ${describePosition(text, end)} after the tool name`, name);
    }
  }
  end = skipFenceClosing(text, end, opening.fenced);
  const raw = text.slice(start, end);
  const normalized = normalizeArguments(argumentsValue);
  if (typeof normalized === 'string') return { end, found: [failure('mistral', raw, normalized, catalogue, name)] };
  return { end, found: [{ ok: true, name, arguments: normalized, format: 'mistral', raw }] };
}

function lineEnd(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  return newline === -1 ? text.length : newline;
}

function parsePlain(text: string, start: number, afterColon: number, catalogue: ToolCatalogue | undefined): Segment {
  const failAt = (detail: string, end: number, name?: string): Segment => ({
    end,
    found: [failure('plain', text.slice(start, end), detail, catalogue, name)],
  });
  const callStart = skipWhitespace(text, afterColon);
  if (callStart <= lineEnd(text, afterColon) && looksLikePythonCall(text, callStart)) {
    const call = readPythonCall(text, callStart, catalogue);
    if (!call.ok) return failAt(call.message, Math.max(call.end, lineEnd(text, callStart)), call.name);
    const raw = text.slice(start, call.end);
    return { end: call.end, found: [{ ok: true, name: call.name, arguments: call.arguments, format: 'plain', raw }] };
  }
  PLAIN_NAME_PATTERN.lastIndex = afterColon;
  const name = PLAIN_NAME_PATTERN.exec(text)?.[1];
  if (name === undefined) {
    const found = describePosition(text, afterColon);
    return failAt(`expected a tool name after "tool_call:" but found ${found}`, lineEnd(text, afterColon));
  }
  let position = PLAIN_NAME_PATTERN.lastIndex;
  let argumentsStart: number | undefined;
  if (text[position] === '{') argumentsStart = position;
  else {
    REST_OF_LINE_PATTERN.lastIndex = position;
    if (!REST_OF_LINE_PATTERN.test(text)) {
      const found = describePosition(text, position);
      return failAt(`unexpected ${found} after the tool name`, lineEnd(text, position), name);
    }
    PLAIN_ARGUMENTS_PATTERN.lastIndex = position;
    if (PLAIN_ARGUMENTS_PATTERN.test(text)) argumentsStart = PLAIN_ARGUMENTS_PATTERN.lastIndex;
  }
  let argumentsValue: unknown;
  if (argumentsStart !== undefined) {
    const opening = skipFenceOpening(text, argumentsStart);
    const value = readTolerantValue(text, opening.position);
    if (!value.ok) return failAt(value.message, nextMarkupStart(text, argumentsStart), name);
    argumentsValue = value.value;
    position = skipFenceClosing(text, value.end, opening.fenced);
  }
  const raw = text.slice(start, position);
  const normalized = normalizeArguments(argumentsValue);
  if (typeof normalized === 'string') return failAt(normalized, position, name);
  return { end: position, found: [{ ok: true, name, arguments: normalized, format: 'plain', raw }] };
}

/** Reads the markup `match` found; `end` is where its span of text ends. */
export function parseSegment(text: string, match: RegExpExecArray, catalogue: ToolCatalogue | undefined): Segment {
  const markup = match[0];
  const after = match.index + markup.length;
  if (markup[0] === '<') return parseTag(text, match.index, after, catalogue);
  if (markup[0] === '[') return parseMistral(text, match.index, after, catalogue);
  return parsePlain(text, match.index, after, catalogue);
}
