/** What the tool-call parser takes and returns; `parse-tool-calls.ts` re-exports these. */

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

/**
 * What the parser needs to know of the tools a model may call. The grammar itself is the same for
 * every pipeline; only python-style positional arguments (`delete_memory([1, 2])`) need each tool's
 * parameters in order, and the parse errors teach the right form with an example call.
 */
export interface ToolCatalogue {
  /** The tool's parameters in declaration order; undefined for a tool that is not in the catalogue. */
  parameters(name: string): readonly string[] | undefined;
  /** Every tool's signature on one line, e.g. `add_memory(input_text), recall_memories()`. */
  readonly signatures: string;
  /** The call the parse errors show as the right form. */
  readonly example: { readonly name: string; readonly arguments: Readonly<Record<string, unknown>> };
}

export interface ParseOptions {
  /** @default no tools known: positional arguments are refused, errors show a generic example */
  readonly catalogue?: ToolCatalogue;
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
