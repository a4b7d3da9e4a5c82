/**
 * The near-duplicate index on real SQLite files: what it finds survives close and reopen, a file
 * built with other parameters is refused, near copies are found among thousands of texts and
 * unrelated texts are not, and validation turns a find into a warning or an error.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NightshiftError } from '../../src/core/errors.js';
import {
  createMinHasher,
  estimateSimilarity,
  jaccard,
  nearDuplicateText,
  openNearDuplicateIndex,
  shinglesOf,
  validateConversation,
  wordsOf,
  type NearDuplicateIndex,
} from '../../src/validate/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { nearCopy, syntheticText } from './synthetic-texts.js';
import { CURRENT_DAEMON_FIXTURE, EARLIER_DAEMON_FIXTURE, readConversations } from './validate-fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function temporaryFile(): string {
  const directory = makeTempDir('nightshift-near-duplicates-');
  cleanups.push(directory.cleanup);
  return path.join(directory.path, 'validate', 'near-duplicates.db');
}

function open(file: string, options = {}): NearDuplicateIndex {
  const index = openNearDuplicateIndex(file, options);
  cleanups.unshift(() => index.close());
  return index;
}

describe('persisted across restarts', () => {
  it('conversations added before a close are found after reopening: the earlier daemon run of the same seed matches line for line', () => {
    const file = temporaryFile();
    const current = readConversations(CURRENT_DAEMON_FIXTURE);
    const first = openNearDuplicateIndex(file);
    for (const conversation of current) first.add(conversation.id, nearDuplicateText(conversation));
    expect(first.count()).toBe(current.length);
    first.close();

    const reopened = open(file);
    expect(reopened.count()).toBe(current.length);
    const byOpening = new Map(current.map((conversation) => [nearDuplicateText(conversation), conversation.id]));
    let matched = 0;
    for (const conversation of readConversations(EARLIER_DAEMON_FIXTURE)) {
      const text = nearDuplicateText(conversation);
      const found = reopened.check(conversation.id, text);
      const twin = byOpening.get(text);
      if (twin !== undefined) {
        expect(found).toEqual({ duplicateOf: twin, similarity: 1 });
        matched++;
      }
    }
    expect(matched).toBeGreaterThanOrEqual(5);
  });

  it('a conversation is not its own duplicate, and adding it again changes nothing', () => {
    const index = open(temporaryFile());
    const text = syntheticText(1, 1);
    index.add('conversation-1', text);
    index.add('conversation-1', text);
    expect(index.count()).toBe(1);
    expect(index.check('conversation-1', text)).toEqual({ similarity: 0 });
    expect(index.check('conversation-2', text)).toEqual({ duplicateOf: 'conversation-1', similarity: 1 });
  });

  it('a text without words is neither added nor matched', () => {
    const index = open(temporaryFile());
    index.add('empty', ' ... !!! ');
    expect(index.count()).toBe(0);
    expect(index.check('other', '???')).toEqual({ similarity: 0 });
  });

  it('a file built with other MinHash parameters is refused, saying how to fix it', () => {
    const file = temporaryFile();
    openNearDuplicateIndex(file).close();
    let thrown: unknown;
    try {
      openNearDuplicateIndex(file, { bands: 30 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NightshiftError);
    expect((thrown as NightshiftError).code).toBe('NEAR_DUPLICATE_INDEX_MISMATCH');
    expect((thrown as Error).message).toMatch(/built with MinHash parameters .*"bands":20.*opened with .*"bands":30.*delete the file/);
  });
});

describe('among 2,000 texts', () => {
  const corpus = Array.from({ length: 2000 }, (_, index) => syntheticText(7, index));
  const file = temporaryFile();

  it('near copies (Jaccard 0.8 or more) are found with their original, unrelated texts are not', () => {
    const index = open(file);
    corpus.forEach((text, position) => index.add(`conversation-${position}`, text));
    let copies = 0;
    let found = 0;
    for (let position = 0; position < 100; position++) {
      const original = corpus[position * 19] as string;
      const copy = nearCopy(original, 0.02, position);
      if (jaccard(shinglesOf(wordsOf(original), 3), shinglesOf(wordsOf(copy), 3)) < 0.8) continue;
      copies++;
      const check = index.check(`copy-${position}`, copy);
      if (check.duplicateOf === `conversation-${position * 19}` && check.similarity >= 0.7) found++;
    }
    // A pair at 0.8 shares a band with probability 0.998 (20 bands of 6 rows).
    expect(copies).toBeGreaterThanOrEqual(50);
    expect(found).toBeGreaterThanOrEqual(copies - 1);
    for (let position = 0; position < 100; position++) {
      expect(index.check(`fresh-${position}`, syntheticText(8, position)).duplicateOf).toBeUndefined();
    }
  });

  it('the estimated similarity is close to the exact Jaccard similarity of the shingles', () => {
    const hasher = createMinHasher();
    for (const share of [0.02, 0.05, 0.1, 0.2]) {
      const original = corpus[Math.round(share * 1000)] as string;
      const copy = nearCopy(original, share, 3);
      const exact = jaccard(shinglesOf(wordsOf(original), 3), shinglesOf(wordsOf(copy), 3));
      const estimate = estimateSimilarity(hasher.signature(original) as Uint32Array, hasher.signature(copy) as Uint32Array);
      expect(Math.abs(estimate - exact), `share ${share}: exact ${exact}, estimate ${estimate}`).toBeLessThan(0.12);
    }
  });
});

describe('in validation', () => {
  it('an identical earlier conversation is an error; a near one a warning; the threshold is the caller’s', () => {
    const index = open(temporaryFile());
    const [conversation, other] = readConversations(CURRENT_DAEMON_FIXTURE) as [ReturnType<typeof readConversations>[number], ReturnType<typeof readConversations>[number]];
    index.add('saved-earlier', nearDuplicateText(conversation));
    const copy = { ...conversation, id: 'the-copy' };
    const result = validateConversation(copy, { nearDuplicates: index });
    expect(result.label).toBe(false);
    expect(result.report.issues).toEqual([
      { level: 'error', code: 'near-duplicate', message: 'The opening request and replies are 100 % alike (estimated) to conversation saved-earlier, saved earlier.' },
    ]);
    const relaxed = validateConversation(copy, { nearDuplicates: index, bounds: { nearDuplicateError: 1.01 } });
    expect(relaxed.label).toBe(true);
    expect(relaxed.report.issues.map((issue) => [issue.level, issue.code])).toEqual([['warning', 'near-duplicate']]);
    expect(validateConversation(other, { nearDuplicates: index }).report.issues.filter((issue) => issue.code === 'near-duplicate')).toEqual([]);
  });
});
