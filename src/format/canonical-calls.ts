/**
 * One call syntax in saved conversations: every call the parser read is rewritten in the syntax the
 * persona prompt teaches (`formatToolCall`), so a model trained on the data learns one syntax, not
 * the four models happen to write. The original markup is kept (`metadata.toolCalls[i].original`)
 * and `restoreCallSyntax` puts it back for `export --keep-call-syntax`.
 */
import { formatToolCall } from './format-tool-call.js';
import { mapOutsideThinking } from './think-regions.js';
import type { ParsedToolCall } from './tool-call-types.js';

export interface CanonicalCalls {
  readonly text: string;
  /** Original markup -> the canonical markup that replaced it; markup left as written is absent. */
  readonly canonicalByOriginal: ReadonlyMap<string, string>;
}

function countOutsideThinking(text: string, markup: string): number {
  let count = 0;
  mapOutsideThinking(text, (outside) => {
    count += outside.split(markup).length - 1;
    return outside;
  });
  return count;
}

/**
 * `text` with the markup of `calls` (outside the reasoning) in canonical syntax. Markup shared by
 * several calls (a `[TOOL_CALLS]` list) becomes one tag per call, one per line. Markup whose
 * occurrences do not match its calls one to one (the same text written twice for different calls)
 * is left as written rather than guessed at.
 */
export function canonicalizeToolCalls(text: string, calls: readonly ParsedToolCall[]): CanonicalCalls {
  const byMarkup = new Map<string, ParsedToolCall[]>();
  for (const call of calls) byMarkup.set(call.raw, [...(byMarkup.get(call.raw) ?? []), call]);
  const canonicalByOriginal = new Map<string, string>();
  for (const [markup, group] of byMarkup) {
    if (markup.length === 0) continue;
    const occurrences = countOutsideThinking(text, markup);
    const printed = group.map((call) => formatToolCall(call));
    const identical = printed.every((tag) => tag === printed[0]);
    let replacement: string | undefined;
    if (occurrences === 1) replacement = printed.join('\n');
    else if (occurrences === group.length && identical) replacement = printed[0];
    if (replacement === undefined || replacement === markup) continue;
    canonicalByOriginal.set(markup, replacement);
  }
  return { text: replaceOutsideThinking(text, canonicalByOriginal), canonicalByOriginal };
}

/** `text` with each canonical markup put back to what the model wrote (outside the reasoning). */
export function restoreCallSyntax(text: string, pairs: readonly { readonly canonical: string; readonly original: string }[]): string {
  return replaceOutsideThinking(text, new Map(pairs.map((pair) => [pair.canonical, pair.original])));
}

/** `text` with every occurrence of each key, outside the reasoning, replaced by its value. */
function replaceOutsideThinking(text: string, replacements: ReadonlyMap<string, string>): string {
  // Longest first, so markup that contains another is replaced whole.
  const ordered = [...replacements].sort(([first], [second]) => second.length - first.length);
  return mapOutsideThinking(text, (outside) => ordered.reduce((current, [markup, replacement]) => current.split(markup).join(replacement), outside));
}
