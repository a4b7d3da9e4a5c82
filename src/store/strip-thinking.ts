/** A `<think>` block and the whitespace after it (non-greedy: several blocks stay separate). */
const THINK_BLOCK = /<think>[\s\S]*?<\/think>\s*/g;

/** Removes every closed `<think>…</think>` block and the whitespace that follows it. */
export function stripThinking(text: string): string {
  return text.replace(THINK_BLOCK, '');
}
