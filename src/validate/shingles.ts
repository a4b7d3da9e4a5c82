/**
 * Words and word shingles: what two texts are compared on, here (a reply repeated within a
 * conversation) and in the near-duplicate index (conversations across the dataset). Case,
 * punctuation and spacing are not words, so "Done!" and "done." are the same reply.
 */

const WORD_PATTERN = /[\p{L}\p{N}]+/gu;

export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD_PATTERN) ?? [];
}

/**
 * The runs of `size` consecutive words, each joined by one space; a text shorter than `size`
 * words is one shingle of all its words, and an empty text has none.
 */
export function shinglesOf(words: readonly string[], size: number): Set<string> {
  const shingles = new Set<string>();
  if (words.length === 0) return shingles;
  if (words.length <= size) {
    shingles.add(words.join(' '));
    return shingles;
  }
  for (let start = 0; start + size <= words.length; start++) shingles.add(words.slice(start, start + size).join(' '));
  return shingles;
}

/** |A ∩ B| / |A ∪ B|; two empty sets are not similar (there is nothing to repeat). */
export function jaccard(first: ReadonlySet<string>, second: ReadonlySet<string>): number {
  if (first.size === 0 || second.size === 0) return 0;
  let shared = 0;
  for (const shingle of first) if (second.has(shingle)) shared++;
  return shared / (first.size + second.size - shared);
}
