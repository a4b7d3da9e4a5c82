/**
 * Distinct-1 and distinct-2 (distinct words and word pairs ÷ all of them) over what the simulated
 * users and the assistant wrote. Both fall as a sample grows, so they are computed over a sample of fixed size: the
 * `size` conversations whose ids hash lowest (a bottom-k sample: uniform, the same for the same
 * data, and bounded in memory however many conversations are read).
 */
import { round } from './histogram.js';

const WORD = /[\p{L}\p{N}']+/gu;

/** FNV-1a over the id's UTF-16 units: an even spread is all the sample needs, not a cryptographic hash. */
function hashId(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

interface Sampled {
  readonly priority: number;
  readonly text: string;
}

export class LexicalDiversity {
  readonly #size: number;
  readonly #sample: Sampled[] = [];
  #highest = -1;

  /** @param size conversations kept in the sample. @default 2000 */
  constructor(size = 2000) {
    this.#size = size;
  }

  /** `replies` is called only when the conversation enters the sample: most never do. */
  add(conversationId: string, replies: () => string): void {
    const priority = hashId(conversationId);
    if (this.#sample.length < this.#size) {
      this.#sample.push({ priority, text: replies() });
      if (priority > this.#highest) this.#highest = priority;
      return;
    }
    if (priority >= this.#highest) return;
    const index = this.#sample.findIndex((entry) => entry.priority === this.#highest);
    this.#sample[index] = { priority, text: replies() };
    this.#highest = this.#sample.reduce((highest, entry) => Math.max(highest, entry.priority), -1);
  }

  figures(): { distinct1: number | null; distinct2: number | null; sampledConversations: number; sampledWords: number } {
    const unigrams = new Set<string>();
    const bigrams = new Set<string>();
    let words = 0;
    let pairs = 0;
    for (const { text } of this.#sample) {
      const tokens = text.toLowerCase().match(WORD) ?? [];
      words += tokens.length;
      for (let index = 0; index < tokens.length; index++) {
        unigrams.add(tokens[index] ?? '');
        if (index > 0) {
          bigrams.add(`${tokens[index - 1]} ${tokens[index]}`);
          pairs++;
        }
      }
    }
    return {
      distinct1: words === 0 ? null : round(unigrams.size / words, 4),
      distinct2: pairs === 0 ? null : round(bigrams.size / pairs, 4),
      sampledConversations: this.#sample.length,
      sampledWords: words,
    };
  }
}
