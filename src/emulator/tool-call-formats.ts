import type { ToolCallFormat } from './emulator-options.js';

export type ToolArgumentValue = string | number | readonly string[] | readonly number[];

export interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: Readonly<Record<string, ToolArgumentValue>>;
}

export const TOOL_CALL_FORMATS: readonly ToolCallFormat[] = ['hermes', 'python', 'mistral', 'plain'];

/**
 * Writes tool calls as text, the way open models do in their replies (brief: "Shared
 * conventions"): Hermes/Qwen `<tool_call>{json}</tool_call>`, python-call inside the tag,
 * Mistral `[TOOL_CALLS] [...]`, and plain `tool_call:` / `arguments:` lines.
 */
export function renderToolCalls(calls: readonly ScriptedToolCall[], format: ToolCallFormat): string {
  switch (format) {
    case 'hermes':
      return calls.map((call) => `<tool_call>${callJson(call)}</tool_call>`).join('\n');
    case 'python':
      return calls.map((call) => `<tool_call>${pythonCall(call)}</tool_call>`).join('\n');
    case 'mistral':
      return `[TOOL_CALLS] [${calls.map(callJson).join(', ')}]`;
    case 'plain':
      return calls.map((call) => `tool_call: ${call.name}\narguments: ${argumentsJson(call)}`).join('\n\n');
  }
}

/** `{"name": "x", "arguments": {...}}` spaced like Python's json.dumps, as models write it. */
function callJson(call: ScriptedToolCall): string {
  return `{"name": ${JSON.stringify(call.name)}, "arguments": ${argumentsJson(call)}}`;
}

function argumentsJson(call: ScriptedToolCall): string {
  const fields = Object.entries(call.arguments).map(([key, value]) => `${JSON.stringify(key)}: ${valueJson(value)}`);
  return `{${fields.join(', ')}}`;
}

function valueJson(value: ToolArgumentValue): string {
  if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  return `[${(value as readonly (string | number)[]).map((item) => JSON.stringify(item)).join(', ')}]`;
}

function pythonCall(call: ScriptedToolCall): string {
  const fields = Object.entries(call.arguments).map(([key, value]) => `${key}=${valueJson(value)}`);
  return `${call.name}(${fields.join(', ')})`;
}
