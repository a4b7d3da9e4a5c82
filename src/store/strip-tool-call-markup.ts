/*
 * A deliberately small stripper for the tool-call formats of the brief; the parser proper lives in
 * src/tools/, which the store may not import. The exports only need the reply text without the calls:
 * the calls themselves come from `metadata.toolCalls`.
 */
const HERMES_CALL = /<tool_call>[\s\S]*?<\/tool_call>/g;
/** A `<tool_call>` left open by a truncated reply: everything after it is the call. */
const UNCLOSED_HERMES_CALL = /<tool_call>[\s\S]*$/;
/** Mistral puts `[TOOL_CALLS]` and a JSON array at the end of the reply. */
const MISTRAL_CALLS = /\[TOOL_CALLS\][\s\S]*$/;
/** `tool_call: name` then `arguments: {...}` on the next line, to the end of the reply. */
const PLAIN_CALL = /(^|\n)[ \t]*tool_call:[ \t]*[\w.-]+[ \t]*\r?\n[ \t]*arguments:[\s\S]*$/;

/** The assistant's text with tool-call markup of every supported format removed, trailing space trimmed. */
export function stripToolCallMarkup(text: string): string {
  return text
    .replace(HERMES_CALL, '')
    .replace(UNCLOSED_HERMES_CALL, '')
    .replace(MISTRAL_CALLS, '')
    .replace(PLAIN_CALL, '')
    .trimEnd();
}
