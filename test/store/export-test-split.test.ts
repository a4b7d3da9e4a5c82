/**
 * `--test-split`: which conversations are held out depends on their ids alone, so the split is the
 * same on every export, after the daemon appended more conversations, and in every format; raising
 * the share only moves conversations into the test split.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportConversations } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { readFrontMatter } from './read-front-matter.js';
import { FIXTURES, makeConversation, makeTemporaryDirectory, readLines, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');

/** The fixture followed by `count` more conversations, as a later run appends them. */
function inputWithMore(count: number): string {
  const inputPath = path.join(makeTemporaryDirectory(), 'conversations.jsonl');
  const more = Array.from({ length: count }, (_, index) => `${JSON.stringify(makeConversation(`later-${index}`, 100))}\n`).join('');
  fs.writeFileSync(inputPath, fs.readFileSync(FIXTURE, 'utf8') + more);
  return inputPath;
}

async function exportTo(options: Partial<ExportOptions> & Pick<ExportOptions, 'format' | 'outputPath'>, inputPath = FIXTURE) {
  return exportConversations({ inputPath, includeDryRun: true, ...options });
}

/** id -> split of an hf export directory, from its data files. */
function hfSplits(directory: string): Map<string, string> {
  const splits = new Map<string, string>();
  for (const split of ['train', 'test']) {
    const file = path.join(directory, 'data', `${split}.jsonl`);
    if (!fs.existsSync(file)) continue;
    for (const line of readLines(file)) splits.set(JSON.parse(line).id, split);
  }
  return splits;
}

function readDirectory(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of ['README.md', 'data/train.jsonl', 'data/test.jsonl']) {
    const file = path.join(directory, name);
    if (fs.existsSync(file)) files[name] = fs.readFileSync(file, 'utf8');
  }
  return files;
}

describe('the held-out split', () => {
  it('two exports of the same conversations are identical, card included', async () => {
    const first = path.join(makeTemporaryDirectory(), 'a');
    const second = path.join(makeTemporaryDirectory(), 'b');
    await exportTo({ format: 'hf', outputPath: first, testSplit: 0.5 });
    await exportTo({ format: 'hf', outputPath: second, testSplit: 0.5 });
    const files = readDirectory(first);
    expect(Object.keys(files).sort()).toEqual(['README.md', 'data/test.jsonl', 'data/train.jsonl']);
    expect(readDirectory(second)).toEqual(files);
  });

  it('after 200 more conversations were appended, every earlier one is in the split it was in, and the card counts the new total', async () => {
    const before = path.join(makeTemporaryDirectory(), 'before');
    const after = path.join(makeTemporaryDirectory(), 'after');
    await exportTo({ format: 'hf', outputPath: before, testSplit: 0.5 });
    await exportTo({ format: 'hf', outputPath: after, testSplit: 0.5 }, inputWithMore(200));
    const earlier = hfSplits(before);
    const later = hfSplits(after);
    expect(later.size).toBe(earlier.size + 200);
    for (const [id, split] of earlier) expect(later.get(id)).toBe(split);
    const splitsInCard = (readFrontMatter(fs.readFileSync(path.join(after, 'README.md'), 'utf8')).data as Record<string, any>)['dataset_info'].splits;
    const counted = ['train', 'test'].map((name) => ({ name, num_examples: [...later.values()].filter((split) => split === name).length }));
    expect(splitsInCard).toEqual(counted);
  });

  it('0.05 of 1,000 conversations holds out about 5 %, and a larger share only moves conversations from train to test', async () => {
    const inputPath = inputWithMore(1000);
    const small = path.join(makeTemporaryDirectory(), 'small');
    const large = path.join(makeTemporaryDirectory(), 'large');
    await exportTo({ format: 'hf', outputPath: small, testSplit: 0.05 }, inputPath);
    await exportTo({ format: 'hf', outputPath: large, testSplit: 0.2 }, inputPath);
    const smallSplits = hfSplits(small);
    const largeSplits = hfSplits(large);
    const held = [...smallSplits.values()].filter((split) => split === 'test').length;
    // A fixed set of ids, so this is exact on every run; the bounds say the hash spreads ids evenly (5 % of 1,010 is 50.5, sd 7).
    expect(held).toBeGreaterThan(30);
    expect(held).toBeLessThan(71);
    for (const [id, split] of smallSplits) if (split === 'test') expect(largeSplits.get(id)).toBe('test');
    expect([...largeSplits.values()].filter((split) => split === 'test').length).toBeGreaterThan(held);
  });

  it('the file formats write <stem>_test.<ext> beside the output, holding the same conversations as the hf test split', async () => {
    const directory = makeTemporaryDirectory();
    const hf = path.join(directory, 'hf');
    await exportTo({ format: 'hf', outputPath: hf, testSplit: 0.5 });
    const summary = await exportTo({ format: 'jsonl', outputPath: path.join(directory, 'subset.jsonl'), testSplit: 0.5 });
    expect(fs.readdirSync(directory).sort()).toEqual(['hf', 'subset.jsonl', 'subset_test.jsonl']);
    const inFile = (name: string) => readLines(path.join(directory, name)).map((line) => JSON.parse(line).id);
    const splits = hfSplits(hf);
    expect(inFile('subset.jsonl')).toEqual([...splits].filter(([, split]) => split === 'train').map(([id]) => id));
    expect(inFile('subset_test.jsonl')).toEqual([...splits].filter(([, split]) => split === 'test').map(([id]) => id));
    expect(summary.splits).toEqual([
      { split: 'train', path: path.join(directory, 'subset.jsonl'), exported: inFile('subset.jsonl').length },
      { split: 'test', path: path.join(directory, 'subset_test.jsonl'), exported: inFile('subset_test.jsonl').length },
    ]);
    // The JSON array format frames each file as an array of its own.
    await exportTo({ format: 'json', outputPath: path.join(directory, 'my_data.json'), testSplit: 0.5 });
    const train = JSON.parse(fs.readFileSync(path.join(directory, 'my_data.json'), 'utf8'));
    const test = JSON.parse(fs.readFileSync(path.join(directory, 'my_data_test.json'), 'utf8'));
    expect([train.length, test.length]).toEqual([inFile('subset.jsonl').length, inFile('subset_test.jsonl').length]);
  });
});

describe('a share that makes no sense', () => {
  it.each([0, 1, -0.1, 5, Number.NaN])('--test-split %s is refused before anything is written, saying the range', async (share) => {
    const directory = makeTemporaryDirectory();
    const attempt = exportTo({ format: 'hf', outputPath: path.join(directory, 'out'), testSplit: share });
    await expect(attempt).rejects.toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
    await expect(attempt).rejects.toThrow(`Expected --test-split to be a fraction strictly between 0 and 1 (e.g. 0.05 holds out 5 %), got \`${share}\`.`);
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it('a test file that would overwrite the input is refused', async () => {
    const directory = makeTemporaryDirectory();
    const inputPath = path.join(directory, 'night_test.jsonl');
    fs.copyFileSync(FIXTURE, inputPath);
    const attempt = exportTo({ format: 'jsonl', outputPath: path.join(directory, 'night.jsonl'), testSplit: 0.1 }, inputPath);
    await expect(attempt).rejects.toThrow(`The test split's file ${inputPath} is or holds the input file; choose another output path.`);
    expect(fs.readdirSync(directory)).toEqual(['night_test.jsonl']);
  });
});
