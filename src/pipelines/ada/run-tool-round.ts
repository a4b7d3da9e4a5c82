/**
 * Runs the tool calls of one assistant reply against the tool store (or, for a tool an MCP server
 * offers, on that server) and appends each result as a `tool` message, in the order the calls
 * appear in the reply. Markup that could not be read
 * becomes a result saying what was wrong, so the model can correct itself as with a real runtime.
 */
import type { ToolCallItem, ToolCallRecord } from '../../format/index.js';
import type { ToolContext, ToolResult } from '../../tools/index.js';
import { parseErrorResult } from '../../tools/index.js';
import type { ConversationLog } from './conversation-log.js';

/** What the pipeline needs of the tool store (`ToolStore` from src/tools implements it). */
export interface ConversationToolStore {
  execute(call: { readonly name: string; readonly arguments: unknown }, context: ToolContext): ToolResult;
  /** Undoes every row the conversation wrote or deleted; returns the rows changed. */
  rollbackConversation(conversationId: string): number;
  /** The conversation's line is durable: its rows are final. */
  markSaved(conversationId: string): void;
}

/** Tools from MCP servers beside the store (`--mcp-config`): run in the conversation's sandbox. */
export interface ExtraTools {
  has(name: string): boolean;
  call(name: string, args: unknown): Promise<{ readonly ok: boolean; readonly content: string }>;
}

/**
 * Appends one `tool` message per call or parse error of the assistant message at `messageIndex`.
 * `items` come from `parseToolCallSequence` over the reply as the model wrote it, already in the
 * reply's order: the order is never searched for again in the text, where the same markup may also
 * stand inside `<think>` or be shared by several calls of one `[TOOL_CALLS]` list.
 * `canonicalByOriginal` maps the model's markup to the canonical markup now in the saved message.
 */
export async function runToolRound(
  store: ConversationToolStore,
  context: ToolContext,
  log: ConversationLog,
  messageIndex: number,
  items: readonly ToolCallItem[],
  canonicalByOriginal: ReadonlyMap<string, string> = new Map(),
  extra?: ExtraTools,
): Promise<void> {
  for (const item of items) {
    const result: Pick<ToolResult, 'ok' | 'content'> & { readonly name?: string } =
      item.kind !== 'call'
        ? parseErrorResult(item.error)
        : extra?.has(item.call.name) === true
          ? await extra.call(item.call.name, item.call.arguments)
          : store.execute({ name: item.call.name, arguments: item.call.arguments }, context);
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
            ...recordedMarkup(item.call.raw, canonicalByOriginal),
          }
        : {
            messageIndex,
            resultIndex,
            name: result.name ?? '',
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
function recordedMarkup(raw: string, canonicalByOriginal: ReadonlyMap<string, string>): { raw: string; original?: string } {
  const canonical = canonicalByOriginal.get(raw);
  return canonical === undefined ? { raw } : { raw: canonical, original: raw };
}
