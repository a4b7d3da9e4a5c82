/**
 * The deterministic hold-out of `--test-split`: a conversation is in the test split when the hash
 * of its id falls below the fraction. The id alone decides, so re-exporting, or exporting again
 * after the daemon appended conversations, never moves one between splits; raising the fraction
 * only moves conversations from train to test, never back.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export type SplitName = 'train' | 'test';

/**
 * @throws RangeError when `fraction` is not a number strictly between 0 and 1, in words fit for
 * the command line.
 */
export function checkTestSplit(fraction: number): void {
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 1) {
    throw new RangeError(
      `Expected --test-split to be a fraction strictly between 0 and 1 (e.g. 0.05 holds out 5 %), got \`${String(fraction)}\`.`,
    );
  }
}

/** The id's place in [0, 1): the first 48 bits of its SHA-256, uniform for any id scheme (UUIDs, counters). */
export function splitPosition(id: string): number {
  return createHash('sha256').update(id, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
}

/** Which split the conversation with this id belongs to; everything is train without a fraction. */
export function splitOf(id: string, testFraction: number | undefined): SplitName {
  return testFraction !== undefined && splitPosition(id) < testFraction ? 'test' : 'train';
}

/** `out/train.jsonl` -> `out/train_test.jsonl`: the held-out file beside a single-file export. */
export function testSplitPath(outputPath: string): string {
  const extension = path.extname(outputPath);
  const stem = outputPath.slice(0, outputPath.length - extension.length);
  return `${stem}_test${extension}`;
}
