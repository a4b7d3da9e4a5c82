/**
 * Finds tool calls in an assistant reply, in every format models actually write:
 *
 * - `hermes`: `<tool_call>{"name": "add_memory", "arguments": {...}}</tool_call>` (Qwen/Hermes);
 *   several tags per reply; the last tag may be left unclosed at the end of the text.
 * - `python`: `<tool_call>add_memory(input_text=["..."])</tool_call>`, positional arguments
 *   mapped onto the tool's parameters in order.
 * - `mistral`: `[TOOL_CALLS] [{"name": ..., "arguments": ...}]`, and the newer
 *   `[TOOL_CALLS]add_memory[ARGS]{...}` (optionally with `[CALL_ID]...`).
 * - `plain`: a line `tool_call: NAME` then, for tools with arguments, a line `arguments: {...}`
 *   (also `tool_call: NAME {...}` and `tool_call: NAME(...)` on one line).
 *
 * Markup inside `<think>…</think>` is ignored: models plan calls in their reasoning and only the
 * reply counts. An unclosed `<think>` hides the rest of the text; a `</think>` with no opening tag
 * (the template put `<think>` in the prompt) hides everything before it.
 *
 * Parsing never throws: markup that cannot be read gives a `ToolCallParseError` whose message tells
 * the model what was wrong and the right form, in the order it appeared among the calls.
 */
import { collapseBlankLines } from './blank-lines.js';
import { MARKUP_PATTERN, parseSegment } from './read-call-markup.js';
import { createRegionLookup, findThinkRegions, type TextRegion } from './think-regions.js';
import type { ParsedToolCall, ParsedToolCalls, ParseOptions, ToolCallItem, ToolCallParseError } from './tool-call-types.js';

/** More calls than this in one reply are refused (one error), so a runaway reply stays cheap. */
export const MAX_CALLS_PER_MESSAGE = 32;

const QUICK_CHECK_PATTERN = /tool_call/i;
const EMPTY_FENCE_PATTERN = /```[\w+-]*\s*```/g;

interface Scan {
  readonly items: ToolCallItem[];
  readonly spans: TextRegion[];
}

function scanToolCalls(text: string, options: ParseOptions | undefined): Scan {
  const scan: Scan = { items: [], spans: [] };
  if (!QUICK_CHECK_PATTERN.test(text)) return scan;
  const thinkRegionAt = createRegionLookup(findThinkRegions(text));
  let cursor = 0;
  let total = 0;
  for (;;) {
    MARKUP_PATTERN.lastIndex = cursor;
    const match = MARKUP_PATTERN.exec(text);
    if (match === null) break;
    const hidden = thinkRegionAt(match.index);
    if (hidden !== undefined) {
      cursor = hidden.end;
      continue;
    }
    const segment = parseSegment(text, match, options?.catalogue);
    cursor = Math.max(segment.end, match.index + match[0].length);
    scan.spans.push({ start: match.index, end: cursor });
    for (const found of segment.found) {
      total++;
      if (total > MAX_CALLS_PER_MESSAGE) continue;
      if (found.ok) {
        const { ok: _call, ...call } = found;
        scan.items.push({ kind: 'call', start: match.index, call });
      } else {
        const { ok: _error, ...error } = found;
        scan.items.push({ kind: 'error', start: match.index, error });
      }
    }
  }
  if (total > MAX_CALLS_PER_MESSAGE) {
    const message =
      `The reply holds ${total} tool calls; only the first ${MAX_CALLS_PER_MESSAGE} were run. ` +
      'Make fewer calls per reply.';
    scan.items.push({ kind: 'error', start: text.length, error: { format: 'hermes', raw: '', message } });
  }
  return scan;
}

/** Every tool call in `text`, in order of appearance, plus every piece of markup that failed. */
export function parseToolCalls(text: string, options?: ParseOptions): ParsedToolCalls {
  const calls: ParsedToolCall[] = [];
  const errors: ToolCallParseError[] = [];
  for (const item of scanToolCalls(text, options).items) {
    if (item.kind === 'call') calls.push(item.call);
    else errors.push(item.error);
  }
  return { calls, errors };
}

/**
 * The same calls and failures as `parseToolCalls`, interleaved in the order the reply wrote them:
 * run them in this order and a failed call's result sits where the model expects it.
 */
export function parseToolCallSequence(text: string, options?: ParseOptions): readonly ToolCallItem[] {
  return scanToolCalls(text, options).items;
}

/** The reply without tool-call markup (calls and failed markup alike), e.g. for exports. */
export function stripToolCalls(text: string, options?: ParseOptions): string {
  const { spans } = scanToolCalls(text, options);
  if (spans.length === 0) return text;
  let result = '';
  let cursor = 0;
  for (const span of spans) {
    result += text.slice(cursor, span.start);
    cursor = span.end;
  }
  result += text.slice(cursor);
  return collapseBlankLines(result.replace(EMPTY_FENCE_PATTERN, '')).trim();
}
