/**
 * Removing tool-call markup from an assistant reply, for the exports that give the calls natively
 * (the calls themselves come from `metadata.toolCalls`). Markup inside the reasoning is a rehearsal,
 * not a call, and stays: the regions are the ones the parser skips.
 */
import { collapseBlankLines } from './blank-lines.js';
import { mapOutsideThinking } from './think-regions.js';

/**
 * The assistant's text without the exact call markup `raws` (from `metadata.toolCalls[].raw`),
 * outside the reasoning, trailing space trimmed. `undefined` when some markup is not found there:
 * the text was changed after parsing, so the caller falls back to the parser's `stripToolCalls`.
 */
export function removeRecordedMarkup(text: string, raws: readonly string[]): string | undefined {
  // Longest first, so markup that contains another is removed whole.
  const distinct = [...new Set(raws)].filter((raw) => raw.length > 0).sort((first, second) => second.length - first.length);
  const found = new Set<string>();
  const stripped = mapOutsideThinking(text, (visible) => {
    let remaining = visible;
    for (const raw of distinct) {
      if (!remaining.includes(raw)) continue;
      found.add(raw);
      remaining = remaining.split(raw).join('');
    }
    return remaining === visible ? visible : collapseBlankLines(remaining);
  });
  return found.size === distinct.length ? stripped.trimEnd() : undefined;
}
