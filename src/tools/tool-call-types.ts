/** What the tool-call parser returns; `parse-tool-calls.ts` re-exports these. */

export type ToolCallFormat = 'hermes' | 'python' | 'mistral' | 'plain';

export interface ParsedToolCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly format: ToolCallFormat;
  /** The markup the call came from; calls sharing one tag or one `[TOOL_CALLS]` list share it. */
  readonly raw: string;
}

export interface ToolCallParseError {
  readonly format: ToolCallFormat;
  readonly raw: string;
  /** Says what was wrong and what the right form is; it is sent back to the model. */
  readonly message: string;
  /** The tool's name when it could be read (e.g. a python call with broken arguments). */
  readonly name?: string;
}

export interface ParsedToolCalls {
  readonly calls: readonly ParsedToolCall[];
  readonly errors: readonly ToolCallParseError[];
}

/**
 * One call or one failure, with `start`, the index in the text where its markup begins. A
 * sequence of these keeps calls and failures interleaved exactly as the reply wrote them, which
 * `text.indexOf(raw)` cannot (the same markup may also appear earlier, e.g. inside `<think>`).
 */
export type ToolCallItem =
  | { readonly kind: 'call'; readonly start: number; readonly call: ParsedToolCall }
  | { readonly kind: 'error'; readonly start: number; readonly error: ToolCallParseError };
