/*
 * Removing tool-call markup from an assistant reply, for the exports that give the calls natively.
 * The calls themselves come from `metadata.toolCalls`, whose entries carry the exact markup the
 * parser read (`raw`): removing that is the only way to agree with the parser (src/tools, which the
 * store may not import). The small pattern stripper below is for lines saved before `raw` existed.
 */
const HERMES_CALL = /<tool_call>[\s\S]*?<\/tool_call>/g;
/** A `<tool_call>` left open by a truncated reply: everything after it is the call. */
const UNCLOSED_HERMES_CALL = /<tool_call>[\s\S]*$/;
/** Mistral puts `[TOOL_CALLS]` and a JSON array at the end of the reply. */
const MISTRAL_CALLS = /\[TOOL_CALLS\][\s\S]*$/;
/** `tool_call: name` then `arguments: {...}` on the next line, to the end of the reply. */
const PLAIN_CALL = /(^|\n)[ \t]*tool_call:[ \t]*[\w.-]+[ \t]*\r?\n[ \t]*arguments:[\s\S]*$/;
const THINK_TAG = /<\/?think>/gi;
/** Blank lines left where markup on lines of its own was cut out. */
const EXTRA_BLANK_LINES = /\n[ \t]*\n(?:[ \t]*\n)+/g;

/**
 * Applies `transform` to the text outside `<think>…</think>`, with the tool parser's rules: an
 * unclosed `<think>` runs to the end, and a `</think>` before any `<think>` closes a block starting
 * at 0 (chat templates put the opening tag in the prompt). Markup inside the reasoning is a
 * rehearsal, not a call, and stays.
 */
function outsideThinking(text: string, transform: (visible: string) => string): string {
  let result = '';
  let position = 0;
  let openAt = -1;
  let sawTag = false;
  for (const tag of text.matchAll(THINK_TAG)) {
    const closing = tag[0][1] === '/';
    const end = tag.index + tag[0].length;
    if (!closing) {
      if (openAt === -1) openAt = tag.index;
    } else if (openAt !== -1) {
      result += transform(text.slice(position, openAt)) + text.slice(openAt, end);
      position = end;
      openAt = -1;
    } else if (!sawTag) {
      result += text.slice(0, end);
      position = end;
    }
    sawTag = true;
  }
  if (openAt !== -1) return result + transform(text.slice(position, openAt)) + text.slice(openAt);
  return result + transform(text.slice(position));
}

/**
 * The assistant's text without the exact call markup `raws` (from `metadata.toolCalls[].raw`),
 * outside the reasoning, trailing space trimmed. `undefined` when some markup is not found there:
 * the text was changed after parsing, so the caller falls back to `stripToolCallMarkup`.
 */
export function removeRecordedMarkup(text: string, raws: readonly string[]): string | undefined {
  // Longest first, so markup that contains another is removed whole.
  const distinct = [...new Set(raws)].filter((raw) => raw.length > 0).sort((first, second) => second.length - first.length);
  const found = new Set<string>();
  const stripped = outsideThinking(text, (visible) => {
    let remaining = visible;
    for (const raw of distinct) {
      if (!remaining.includes(raw)) continue;
      found.add(raw);
      remaining = remaining.split(raw).join('');
    }
    return remaining === visible ? visible : remaining.replace(EXTRA_BLANK_LINES, '\n\n');
  });
  return found.size === distinct.length ? stripped.trimEnd() : undefined;
}

/**
 * The assistant's text with tool-call markup of every supported format removed by pattern, trailing
 * space trimmed: for lines saved before `metadata.toolCalls` recorded `raw`. Markup inside the
 * reasoning is left alone (the to-the-end patterns would otherwise cut it and the whole reply).
 */
export function stripToolCallMarkup(text: string): string {
  return outsideThinking(text, stripCalls).trimEnd();
}

function stripCalls(text: string): string {
  return text.replace(HERMES_CALL, '').replace(UNCLOSED_HERMES_CALL, '').replace(MISTRAL_CALLS, '').replace(PLAIN_CALL, '');
}
