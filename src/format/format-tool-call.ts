/**
 * The canonical text forms nightshift writes: a tool call as it is saved in an assistant message,
 * and tool results as they are sent back to a model.
 */

/**
 * JSON with Python's `json.dumps` spacing (`", "` and `": "`), which is what Qwen/Hermes chat
 * templates produce, so saved calls look like the ones the model was trained on.
 */
export function toSpacedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => toSpacedJson(item ?? null)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined && typeof member !== 'function')
      .map(([key, member]) => `${JSON.stringify(key)}: ${toSpacedJson(member)}`);
    return `{${members.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `<tool_call>{"name": "add_memory", "arguments": {"input_text": ["..."]}}</tool_call>` */
export function formatToolCall(call: { readonly name: string; readonly arguments: unknown }): string {
  return `<tool_call>${toSpacedJson({ name: call.name, arguments: call.arguments ?? {} })}</tool_call>`;
}

/**
 * The content of the `user` message that carries tool results to a model: one
 * `<tool_response>` block per result, in call order.
 */
export function formatToolResponses(results: readonly { readonly content: string }[]): string {
  return results.map((result) => `<tool_response>\n${result.content}\n</tool_response>`).join('\n');
}
