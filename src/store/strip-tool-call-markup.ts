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
/** A `<think>` block; an unclosed one runs to the end (the reply was cut off while reasoning). */
const THINK_BLOCK = /<think>[\s\S]*?(?:<\/think>|$)/g;

/**
 * The assistant's text with tool-call markup of every supported format removed, trailing space trimmed.
 * Markup inside `<think>…</think>` is left alone: models rehearse their calls while reasoning, and the
 * tool parser ignores calls there too, so they are not calls (and the to-the-end patterns would
 * otherwise cut the reasoning and the whole reply).
 */
export function stripToolCallMarkup(text: string): string {
  let result = '';
  let position = 0;
  for (const block of text.matchAll(THINK_BLOCK)) {
    result += stripCalls(text.slice(position, block.index)) + block[0];
    position = block.index + block[0].length;
  }
  return (result + stripCalls(text.slice(position))).trimEnd();
}

function stripCalls(text: string): string {
  return text.replace(HERMES_CALL, '').replace(UNCLOSED_HERMES_CALL, '').replace(MISTRAL_CALLS, '').replace(PLAIN_CALL, '');
}
