/**
 * A `tools/call` result as the text a model reads in its `<tool_response>`: the text content in
 * order, other content named in brackets (a model fine-tuned on text cannot see an image), the
 * structured content as JSON when there is no text, and `isError` kept as `ok: false`.
 */

/** What goes back to the model; the same shape as the built-in tools' `ToolResult`. */
export interface McpToolResult {
  /** The offered (namespaced) name that was called. */
  readonly name: string;
  readonly ok: boolean;
  readonly content: string;
  /**
   * True when the failure was not the model's: the server could not be started, died during the
   * call, or did not answer in time. A pipeline may discard such a conversation rather than train on it.
   */
  readonly unavailable?: boolean;
}

interface ContentItem {
  readonly type: string;
  readonly text?: unknown;
  readonly mimeType?: unknown;
  readonly data?: unknown;
  readonly uri?: unknown;
  readonly resource?: { readonly uri?: unknown; readonly text?: unknown; readonly mimeType?: unknown };
}

export interface CallResultLike {
  readonly content?: readonly ContentItem[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
  /** The result shape of protocol version 2024-10-07, which some old servers still send. */
  readonly toolResult?: unknown;
}

export function toToolResult(name: string, result: CallResultLike, maxCharacters: number): McpToolResult {
  const parts = (result.content ?? []).map(describeContent);
  let text = parts.join('\n');
  const structured = result.structuredContent ?? result.toolResult;
  if (text.length === 0 && structured !== undefined) text = JSON.stringify(structured);
  if (text.length === 0) text = result.isError === true ? 'The tool failed without saying why.' : 'Done (the tool returned no content).';
  return { name, ok: result.isError !== true, content: truncate(text, maxCharacters) };
}

function describeContent(item: ContentItem): string {
  switch (item.type) {
    case 'text':
      return typeof item.text === 'string' ? item.text : '';
    case 'image':
    case 'audio': {
      const size = typeof item.data === 'string' ? `, ${Math.floor((item.data.length * 3) / 4)} bytes` : '';
      return `[${item.type} ${String(item.mimeType ?? '')}${size}]`;
    }
    case 'resource':
      return typeof item.resource?.text === 'string' ? item.resource.text : `[resource ${String(item.resource?.uri ?? '')}]`;
    case 'resource_link':
      return `[resource ${String(item.uri ?? '')}]`;
    default:
      return `[${item.type} content]`;
  }
}

function truncate(text: string, maxCharacters: number): string {
  if (text.length <= maxCharacters) return text;
  return `${text.slice(0, maxCharacters)}\n[… ${text.length - maxCharacters} more characters not shown]`;
}
