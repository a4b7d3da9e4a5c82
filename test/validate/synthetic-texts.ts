/**
 * Synthetic conversation texts (an opening request and replies) from a seeded source, for the
 * near-duplicate tests and `scripts/bench-near-duplicates.ts`: distinct texts share the same
 * vocabulary, as conversations about the same topics do, and a near copy changes a share of words.
 */
import { createRandom, pick, type Random } from '../../src/core/random.js';

const VOCABULARY = (
  'the a my your our to of and for with about on in at from when how what why which should could would ' +
  'plan trip dinner garden lens camera piano dog cat sister brother weekend morning budget recipe bread ' +
  'paint shelf bike run hike tent coffee train city friend party gift book exam job move house kitchen ' +
  'start try keep write save remember pick choose learn practice buy cook visit call ask need want feel ' +
  'small quick simple cheap early late first next new old quiet busy good better best easy hard calm'
).split(' ');

function sentence(random: Random, words: number): string {
  return Array.from({ length: words }, () => pick(random, VOCABULARY)).join(' ');
}

/** Text number `index` of a corpus: a request of ~15 words and three replies of ~25 words. */
export function syntheticText(seed: number, index: number): string {
  const random = createRandom(seed * 1_000_003 + index);
  return [sentence(random, 15), sentence(random, 25), sentence(random, 25), sentence(random, 25)].join('\n');
}

/** `text` with about `share` of its words replaced, deterministically. */
export function nearCopy(text: string, share: number, seed: number): string {
  const random = createRandom(seed);
  return text
    .split('\n')
    .map((line) =>
      line
        .split(' ')
        .map((word) => (random() < share ? pick(random, VOCABULARY) : word))
        .join(' '),
    )
    .join('\n');
}
