/**
 * Runs the tool calls of one assistant reply against the tool store and appends each result as a
 * `tool` message, in the order the calls appear in the reply. Markup that could not be read
 * becomes a result saying what was wrong, so the model can correct itself as with a real runtime.
 */
import type { ParsedToolCall, ParsedToolCalls, ToolCallParseError } from '../../format/index.js';
import type { ToolContext, ToolResult } from '../../tools/index.js';
import { parseErrorResult } from '../../tools/index.js';
import type { ToolCallRecord } from '../../format/index.js';
import type { ConversationLog } from './conversation-log.js';

/** What the pipeline needs of the tool store (`ToolStore` from src/tools implements it). */
export interface ConversationToolStore {
  execute(call: { readonly name: string; readonly arguments: unknown }, context: ToolContext): ToolResult;
  /** Undoes every row the conversation wrote or deleted; returns the rows changed. */
  rollbackConversation(conversationId: string): number;
  /** The conversation's line is durable: its rows are final. */
  markSaved(conversationId: string): void;
}

type Item =
  | { readonly kind: 'call'; readonly at: number; readonly call: ParsedToolCall }
  | { readonly kind: 'error'; readonly at: number; readonly error: ToolCallParseError };

/** Calls and parse errors in order of appearance; ones sharing markup keep their own order. */
function inReplyOrder(text: string, parsed: ParsedToolCalls): Item[] {
  const position = (raw: string): number => {
    const at = raw.length > 0 ? text.indexOf(raw) : -1;
    return at === -1 ? Number.MAX_SAFE_INTEGER : at;
  };
  const items: Item[] = [
    ...parsed.calls.map((call): Item => ({ kind: 'call', at: position(call.raw), call })),
    ...parsed.errors.map((error): Item => ({ kind: 'error', at: position(error.raw), error })),
  ];
  return items.sort((first, second) => first.at - second.at);
}

/** How the reply was written before its calls were saved in canonical syntax. */
export interface WrittenReply {
  /** The reply as the model wrote it: the order of its calls is read there. */
  readonly writtenText: string;
  /** The model's markup -> the canonical markup now in the saved message. */
  readonly canonicalByOriginal: ReadonlyMap<string, string>;
}

/** Appends one `tool` message per call or parse error of the assistant message at `messageIndex`. */
export function runToolRound(
  store: ConversationToolStore,
  context: ToolContext,
  log: ConversationLog,
  messageIndex: number,
  parsed: ParsedToolCalls,
  written?: WrittenReply,
): void {
  const text = written?.writtenText ?? log.messages[messageIndex]?.content ?? '';
  for (const item of inReplyOrder(text, parsed)) {
    const result: ToolResult =
      item.kind === 'call'
        ? store.execute({ name: item.call.name, arguments: item.call.arguments }, context)
        : parseErrorResult(item.error);
    const resultIndex = log.append({ role: 'tool', content: result.content }, null);
    const record: ToolCallRecord =
      item.kind === 'call'
        ? {
            messageIndex,
            resultIndex,
            name: item.call.name,
            arguments: item.call.arguments,
            ok: result.ok,
            format: item.call.format,
            ...recordedMarkup(item.call.raw, written),
          }
        : {
            messageIndex,
            resultIndex,
            name: result.name,
            arguments: null,
            ok: false,
            format: item.error.format,
            parseError: true,
            raw: item.error.raw,
          };
    log.toolCalls.push(record);
  }
}

/** `raw` is the markup as it stands in the saved message; `original` what the model wrote, when they differ. */
function recordedMarkup(raw: string, written: WrittenReply | undefined): { raw: string; original?: string } {
  const canonical = written?.canonicalByOriginal.get(raw);
  return canonical === undefined ? { raw } : { raw: canonical, original: raw };
}
