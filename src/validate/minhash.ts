/**
 * MinHash signatures and their LSH band keys. Two texts' signatures agree at each position with
 * probability equal to the Jaccard similarity of their shingle sets, so the share of equal
 * positions estimates it; texts whose signatures agree on one whole band are candidates. Every
 * hash is seeded and deterministic (no `Math.random`): a signature written tonight must match one
 * computed after a restart.
 */
import { createRandom } from '../core/random.js';
import { shinglesOf, wordsOf } from './shingles.js';

export interface MinHashParameters {
  /** Positions per signature. @default 120 */
  readonly hashes: number;
  /** Bands the signature is cut into for candidate lookup; must divide `hashes`. @default 20 */
  readonly bands: number;
  /** Words per shingle. @default 3 */
  readonly shingleWords: number;
  /** Seed of the hash family. @default 1 */
  readonly seed: number;
}

/**
 * 20 bands of 6 rows: a pair at similarity 0.8 shares a band with probability 0.998, at 0.5 with
 * 0.27, at 0.3 with 0.015, so candidates are nearly all real and few are missed above 0.7.
 */
export const DEFAULT_MINHASH_PARAMETERS: MinHashParameters = Object.freeze({ hashes: 120, bands: 20, shingleWords: 3, seed: 1 });

/** murmur3's finalizer: every input bit affects every output bit. */
function mix(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** FNV-1a over the UTF-16 code units, then mixed: the shingle's base hash. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix(hash);
}

export interface MinHasher {
  readonly parameters: MinHashParameters;
  /** The signature of `text`; undefined when it has no words (nothing to compare). */
  signature(text: string): Uint32Array | undefined;
  /** One key per band: the band's number in the high bits, a hash of its rows in the low 32. */
  bandKeys(signature: Uint32Array): number[];
}

export function checkMinHashParameters(parameters: MinHashParameters): void {
  const { hashes, bands, shingleWords } = parameters;
  const whole = [hashes, bands, shingleWords].every((value) => Number.isInteger(value) && value > 0);
  if (!whole || hashes % bands !== 0 || bands > 1024) {
    throw new RangeError(
      `Expected positive whole numbers with bands (≤ 1024) dividing hashes, got hashes ${hashes}, bands ${bands}, shingleWords ${shingleWords}; e.g. hashes 120, bands 20, shingleWords 3.`,
    );
  }
}

export function createMinHasher(parameters: MinHashParameters = DEFAULT_MINHASH_PARAMETERS): MinHasher {
  checkMinHashParameters(parameters);
  const random = createRandom(parameters.seed);
  const seeds = Uint32Array.from({ length: parameters.hashes }, () => Math.floor(random() * 0x1_0000_0000));
  const rows = parameters.hashes / parameters.bands;
  return {
    parameters,
    signature(text) {
      const shingles = shinglesOf(wordsOf(text), parameters.shingleWords);
      if (shingles.size === 0) return undefined;
      const signature = new Uint32Array(parameters.hashes).fill(0xffffffff);
      for (const shingle of shingles) {
        const base = hashText(shingle);
        for (let position = 0; position < seeds.length; position++) {
          const value = mix(base ^ (seeds[position] as number));
          if (value < (signature[position] as number)) signature[position] = value;
        }
      }
      return signature;
    },
    bandKeys(signature) {
      const keys: number[] = [];
      for (let band = 0; band < parameters.bands; band++) {
        let hash = 0x811c9dc5 ^ band;
        for (let row = band * rows; row < (band + 1) * rows; row++) hash = mix(Math.imul(hash ^ (signature[row] as number), 0x01000193));
        // Exact in a double and in SQLite's 64-bit integer: band < 2^10, hash < 2^32.
        keys.push(band * 0x1_0000_0000 + hash);
      }
      return keys;
    },
  };
}

/** The share of positions where two signatures agree: the estimated Jaccard similarity. */
export function estimateSimilarity(first: Uint32Array, second: Uint32Array): number {
  const length = Math.min(first.length, second.length);
  if (length === 0) return 0;
  let equal = 0;
  for (let position = 0; position < length; position++) if (first[position] === second[position]) equal++;
  return equal / length;
}
