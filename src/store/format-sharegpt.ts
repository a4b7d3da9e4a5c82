/**
 * ShareGPT as LLaMA-Factory reads it (its SharegptDatasetConverter, src/llamafactory/data/converter.py,
 * and data/README.md): after an optional `system` turn, `human`/`observation` turns and
 * `gpt`/`function_call` turns alternate, starting with `human` and ending with `gpt`/`function_call`.
 * A reply that calls tools becomes one `function_call` turn whose value is its reasoning block, if
 * any, then the calls as JSON (`{"name", "arguments"}`, a list when there are several); their
 * results become one `observation` turn, joined as LLaMA-Factory's own OpenAI converter joins
 * parallel results. The text a reply wrote beside its calls has no place in a `function_call` turn
 * (the formatter reads only reasoning and JSON there) and is left out. The `tools` column is the
 * tool list as JSON text, which its tool formatter parses.
 */
import type { SavedConversation, SavedMessage, ToolCallRecord, ToolSchema } from '../format/index.js';
import { findThinkBlocks, readToolCalls, readToolSchemas } from '../format/index.js';

export type ShareGptFrom = 'system' | 'human' | 'gpt' | 'function_call' | 'observation';

export interface ShareGptTurn {
  readonly from: ShareGptFrom;
  readonly value: string;
}

export interface ShareGptRecord {
  readonly conversations: readonly ShareGptTurn[];
  /** JSON text of `[{name, description, parameters}...]`. */
  readonly tools: string;
}

/** How LLaMA-Factory's converter joins the results of parallel calls into one observation. */
const PARALLEL_RESULT_SEPARATOR = '\n</tool_response>\n<tool_response>\n';

/** The `dataset_info.json` entry that loads a file of these records (print it beside the export). */
export function shareGptDatasetInfo(fileName: string): object {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'conversations', tools: 'tools' },
    tags: {
      role_tag: 'from',
      content_tag: 'value',
      user_tag: 'human',
      assistant_tag: 'gpt',
      observation_tag: 'observation',
      function_tag: 'function_call',
      system_tag: 'system',
    },
  };
}

export function toShareGptRecord(conversation: SavedConversation, fallbackTools: readonly ToolSchema[] = []): ShareGptRecord {
  const messages = conversation.conversations;
  const callsByMessage = groupCalls(messages, readToolCalls(conversation));
  const turns: ShareGptTurn[] = [];
  const pendingResults: string[] = [];
  const flushResults = () => {
    if (pendingResults.length > 0) turns.push({ from: 'observation', value: pendingResults.splice(0).join(PARALLEL_RESULT_SEPARATOR) });
  };
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      pendingResults.push(message.content);
      return;
    }
    flushResults();
    const calls = callsByMessage?.get(index);
    if (message.role === 'assistant' && calls !== undefined) {
      turns.push({ from: 'function_call', value: functionCallValue(message, calls) });
      return;
    }
    turns.push({ from: FROM_BY_ROLE[message.role], value: message.content });
  });
  flushResults();
  const tools = readToolSchemas(conversation) ?? fallbackTools;
  return { conversations: turns, tools: JSON.stringify(tools.map((tool) => tool.function)) };
}

const FROM_BY_ROLE: Readonly<Record<Exclude<SavedMessage['role'], 'tool'>, ShareGptFrom>> = {
  system: 'system',
  user: 'human',
  assistant: 'gpt',
};

/** Calls by the message that made them; undefined when `metadata.toolCalls` is absent or does not fit. */
function groupCalls(messages: readonly SavedMessage[], calls: readonly ToolCallRecord[] | undefined): Map<number, ToolCallRecord[]> | undefined {
  if (calls === undefined || calls.length === 0) return undefined;
  const grouped = new Map<number, ToolCallRecord[]>();
  for (const call of calls) {
    if (messages[call.messageIndex]?.role !== 'assistant' || messages[call.resultIndex]?.role !== 'tool') return undefined;
    grouped.set(call.messageIndex, [...(grouped.get(call.messageIndex) ?? []), call]);
  }
  return grouped;
}

/** `<think>\nreasoning\n</think>\n\n` (the shape LLaMA-Factory's thought words match), then the calls as JSON. */
function functionCallValue(message: SavedMessage, calls: readonly ToolCallRecord[]): string {
  const items = calls.map((call) => ({ name: call.name, arguments: isObject(call.arguments) ? call.arguments : {} }));
  const json = JSON.stringify(items.length === 1 ? items[0] : items);
  const reasoning = findThinkBlocks(message.content)
    .map((block) => block.reasoning.trim())
    .filter((text) => text.length > 0)
    .join('\n\n');
  return reasoning.length > 0 ? `<think>\n${reasoning}\n</think>\n\n${json}` : json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
