/**
 * The `<think>…</think>` reasoning in model replies: Ada's saved messages keep it (and it is
 * rewritten); what the simulated user sees, and what the exports strip, never contains it. Every
 * function here reads the regions `findThinkRegions` finds, so they agree on orphan and unclosed tags.
 */
import { stripToolCalls } from './parse-tool-calls.js';
import { findThinkRegions } from './think-regions.js';

const THINK_TAG_PATTERN = /<\/?think>/gi;
const LEADING_WHITESPACE = /^\s*/;
/** Outside every region only closing tags can remain: an opening one would have started a region. */
const STRAY_CLOSING_TAG = /<\/think>/gi;

/** One closed block: `start`/`end` span the tags, `reasoning` is what is between them. */
export interface ThinkBlock {
  readonly start: number;
  readonly end: number;
  readonly reasoning: string;
}

interface Split {
  /** The text outside any reasoning. */
  readonly outside: string;
  /** The reasoning pieces in order: closed blocks, an orphan-closed prefix, an unclosed tail. */
  readonly reasoning: readonly string[];
}

function splitReasoning(text: string): Split {
  const reasoning: string[] = [];
  let outside = '';
  let cursor = 0;
  for (const region of findThinkRegions(text)) {
    outside += text.slice(cursor, region.start);
    reasoning.push(text.slice(region.innerStart, region.innerEnd));
    cursor = region.end;
  }
  return { outside: outside + text.slice(cursor), reasoning };
}

/** The text without any reasoning, trimmed. */
export function removeThinking(text: string): string {
  return splitReasoning(text).outside.trim();
}

/** What the person chatting with the assistant sees: no reasoning, no tool-call markup. */
export function visibleReply(text: string): string {
  return stripToolCalls(removeThinking(text)).trim();
}

/**
 * For the exports: every reasoning region (closed, orphan-closed or unclosed) removed with the
 * whitespace after it, and stray `</think>` tags that close nothing, the rest byte for byte. A
 * stray tag left behind would turn the reply before it into reasoning for the next reader.
 */
export function stripThinking(text: string): string {
  let result = '';
  let cursor = 0;
  for (const region of findThinkRegions(text)) {
    result += text.slice(cursor, region.start).replace(STRAY_CLOSING_TAG, '');
    cursor = region.end + (LEADING_WHITESPACE.exec(text.slice(region.end))?.[0].length ?? 0);
  }
  return result + text.slice(cursor).replace(STRAY_CLOSING_TAG, '');
}

/** `reasoning</think>reply` (the opening tag was in the prompt) becomes `<think>reasoning</think>reply`. */
export function normalizeThinking(text: string): string {
  const first = findThinkRegions(text)[0];
  return first?.kind === 'orphan' ? `<think>${text}` : text;
}

/** The closed blocks of `text`, in order. */
export function findThinkBlocks(text: string): ThinkBlock[] {
  return findThinkRegions(text)
    .filter((region) => region.kind === 'closed')
    .map((region) => ({ start: region.start, end: region.end, reasoning: text.slice(region.innerStart, region.innerEnd) }));
}

/** `text` with the reasoning of each block replaced, in order; everything else byte for byte. */
export function replaceThinkBlocks(text: string, blocks: readonly ThinkBlock[], reasonings: readonly string[]): string {
  let result = '';
  let cursor = 0;
  blocks.forEach((block, index) => {
    result += `${text.slice(cursor, block.start)}<think>${reasonings[index] ?? block.reasoning}</think>`;
    cursor = block.end;
  });
  return result + text.slice(cursor);
}

/**
 * The reasoning a rewriter returned. Asked for `<think>…</think>`, it may also think first itself
 * (two blocks: the last is the answer) or skip the tags (the whole text is the answer). Stray tags
 * are removed so the result can never break the block it goes into.
 */
export function extractRewrittenReasoning(text: string): string {
  const { outside, reasoning } = splitReasoning(text);
  const chosen = reasoning.length > 0 ? (reasoning[reasoning.length - 1] as string) : outside;
  return chosen.replace(THINK_TAG_PATTERN, '').trim();
}

/**
 * `<think>…</think>\n\nreply`: exactly one blank line between a reply's leading reasoning block and
 * the reply, as the original tool saved it and as Qwen-style templates print it. Models write one
 * newline, none, or several; the pipeline saves this form and the `json` export writes it.
 */
export function separateReasoning(text: string): string {
  const first = findThinkRegions(text)[0];
  if (first === undefined || first.kind !== 'closed' || text.slice(0, first.start).trim().length > 0) return text;
  const reply = text.slice(first.end).replace(/^\s+/, '');
  return reply.length === 0 ? text : `${text.slice(0, first.end)}\n\n${reply}`;
}
