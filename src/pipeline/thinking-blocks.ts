/**
 * The `<think>…</think>` reasoning in model replies. Ada's saved messages keep it (and it is
 * rewritten); what the simulated user sees, and what the tester writes, never contains it.
 */
import { stripToolCalls } from '../tools/index.js';

const THINK_TAG_PATTERN = /<\/?think>/gi;
const CLOSED_BLOCK_PATTERN = /<think>([\s\S]*?)<\/think>/gi;

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

/**
 * Separates reasoning from the rest. Besides closed blocks it handles what models really emit: a
 * `</think>` with no opening tag (chat templates put `<think>` in the prompt), so everything
 * before it is reasoning; and an unclosed `<think>` (cut off while thinking) running to the end.
 */
function splitReasoning(text: string): Split {
  const reasoning: string[] = [];
  let outside = '';
  let openAt = -1;
  let cursor = 0;
  let sawTag = false;
  THINK_TAG_PATTERN.lastIndex = 0;
  for (let match = THINK_TAG_PATTERN.exec(text); match !== null; match = THINK_TAG_PATTERN.exec(text)) {
    const closing = match[0][1] === '/';
    if (!closing && openAt === -1) {
      outside += text.slice(cursor, match.index);
      openAt = match.index + match[0].length;
    } else if (closing && openAt !== -1) {
      reasoning.push(text.slice(openAt, match.index));
      openAt = -1;
      cursor = match.index + match[0].length;
    } else if (closing && !sawTag) {
      reasoning.push(text.slice(0, match.index));
      cursor = match.index + match[0].length;
    }
    sawTag = true;
  }
  if (openAt !== -1) reasoning.push(text.slice(openAt));
  else outside += text.slice(cursor);
  return { outside, reasoning };
}

/** The text without any reasoning, trimmed. */
export function removeThinking(text: string): string {
  return splitReasoning(text).outside.trim();
}

/** What the person chatting with Ada sees: no reasoning, no tool-call markup. */
export function visibleReply(text: string): string {
  return stripToolCalls(removeThinking(text)).trim();
}

/** `reasoning</think>reply` (the opening tag was in the prompt) becomes `<think>reasoning</think>reply`. */
export function normalizeThinking(text: string): string {
  THINK_TAG_PATTERN.lastIndex = 0;
  const first = THINK_TAG_PATTERN.exec(text);
  return first !== null && first[0][1] === '/' ? `<think>${text}` : text;
}

/** The closed blocks of `text`, in order. */
export function findThinkBlocks(text: string): ThinkBlock[] {
  const blocks: ThinkBlock[] = [];
  CLOSED_BLOCK_PATTERN.lastIndex = 0;
  for (let match = CLOSED_BLOCK_PATTERN.exec(text); match !== null; match = CLOSED_BLOCK_PATTERN.exec(text)) {
    blocks.push({ start: match.index, end: match.index + match[0].length, reasoning: match[1] as string });
  }
  return blocks;
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
