/**
 * `--format hf` on output the real daemon wrote (test/fixtures/store/daemon-conversations.jsonl):
 * the directory `datasets.load_dataset(DIR)` reads, its card's front matter read by a strict
 * reader and checked against the files beside it, the rows against the saved conversations, the
 * figures against counts taken here from the fixture, and the replacement rules of the directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { afterEach, describe, expect, it } from 'vitest';
import { exportConversations } from '../../src/store/index.js';
import type { ExportOptions } from '../../src/store/index.js';
import { QWEN_2_5_INSTRUCT_TEMPLATE } from '../fixtures/chat-templates/qwen-2.5-instruct.js';
import { readFrontMatter, type YamlValue } from './read-front-matter.js';
import { FIXTURES, makeTemporaryDirectory, removeTemporaryDirectories } from './store-test-helpers.js';

afterEach(removeTemporaryDirectories);

const FIXTURE = path.join(FIXTURES, 'daemon-conversations.jsonl');
const SAVED: readonly any[] = fs
  .readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line));
/** Half, so both splits of the ten-line fixture hold conversations whatever ids a regeneration draws (all in one: 2 in 1024). */
const SHARE = 0.5;

async function exportHf(options: Partial<ExportOptions> = {}, outputPath = path.join(makeTemporaryDirectory(), 'dataset')) {
  const summary = await exportConversations({ format: 'hf', inputPath: FIXTURE, outputPath, includeDryRun: true, ...options });
  return { summary, directory: outputPath };
}

/** Every file under `directory`, relative, with `/`. */
function listFiles(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

function readRows(file: string): any[] {
  const text = fs.readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

function readCard(directory: string): { data: Record<string, any>; body: string } {
  return readFrontMatter(fs.readFileSync(path.join(directory, 'README.md'), 'utf8'));
}

/** The Arrow-style type of a JSON value as `dataset_info.features` declares it: dtype string, or a list of such structs. */
function featureOf(name: string, values: readonly unknown[]): YamlValue {
  if (values.every((value) => typeof value === 'string')) return { name, dtype: 'string' };
  expect(values.every((value) => Array.isArray(value))).toBe(true);
  const items = values.flat() as Record<string, unknown>[];
  const keys = [...new Set(items.flatMap((item) => Object.keys(item)))];
  return { name, list: keys.map((key) => featureOf(key, items.map((item) => item[key]))) };
}

describe('the hf directory', () => {
  it('holds README.md and one JSONL per split; the card lists exactly those files, declares the features the rows have, and counts each split as its lines', async () => {
    const { summary, directory } = await exportHf({ testSplit: SHARE });
    expect(listFiles(directory)).toEqual(['README.md', 'data/test.jsonl', 'data/train.jsonl']);
    expect(fs.existsSync(`${directory}.partial`)).toBe(false);
    const { data } = readCard(directory);
    const [config, ...otherConfigs] = data['configs'];
    expect(otherConfigs).toEqual([]);
    expect(config.config_name).toBe('default');
    const listed = config.data_files.map((file: any) => file.path).sort();
    expect(listed).toEqual(listFiles(directory).filter((file) => file.startsWith('data/')));
    const rowsBySplit = new Map<string, any[]>(config.data_files.map((file: any) => [file.split, readRows(path.join(directory, file.path))]));
    expect([...rowsBySplit.keys()].sort()).toEqual(['test', 'train']);
    for (const rows of rowsBySplit.values()) expect(rows.length).toBeGreaterThan(0);
    const info = data['dataset_info'];
    expect(info.splits).toEqual([...rowsBySplit].map(([name, rows]) => ({ name, num_examples: rows.length })));
    const rows = [...rowsBySplit.values()].flat();
    expect(rows).toHaveLength(SAVED.length);
    // Each row has exactly the declared columns, in order, of the declared types.
    for (const row of rows) expect(Object.keys(row)).toEqual(info.features.map((feature: any) => feature.name));
    expect(info.features).toEqual(Object.keys(rows[0]).map((name) => featureOf(name, rows.map((row) => row[name]))));
    expect(data['size_categories']).toEqual(['n<1K']);
    expect(data['task_categories']).toEqual(['text-generation']);
    expect(data['license']).toBe('unknown');
    expect(summary.splits.map(({ split, exported }) => [split, exported])).toEqual([...rowsBySplit].map(([name, split]) => [name, split.length]));
  });

  it('each row is the saved conversation as role/content messages with its id, and tools as JSON text of the tools it was offered', async () => {
    const { directory } = await exportHf();
    expect(listFiles(directory)).toEqual(['README.md', 'data/train.jsonl']);
    const rows = readRows(path.join(directory, 'data/train.jsonl'));
    expect(rows.map((row) => row.id)).toEqual(SAVED.map((saved) => saved.id));
    rows.forEach((row, index) => {
      const saved = SAVED[index];
      expect(row.messages).toEqual(saved.conversations.map(({ role, content }: any) => ({ role, content })));
      expect(typeof row.tools).toBe('string');
      expect(JSON.parse(row.tools)).toEqual(saved.metadata.tools);
    });
    const { data } = readCard(directory);
    expect(data['configs'][0].data_files).toEqual([{ split: 'train', path: 'data/train.jsonl' }]);
    expect(data['dataset_info'].splits).toEqual([{ name: 'train', num_examples: SAVED.length }]);
  });

  it("the card's prose gives the run's figures as counted from the saved conversations: providers, models, tool-use share, generation date", async () => {
    const { body } = readCard((await exportHf()).directory);
    const providers = new Map<string, number>();
    for (const saved of SAVED) for (const provider of new Set<string>(saved.metadata.providers)) providers.set(provider, (providers.get(provider) ?? 0) + 1);
    for (const [provider, count] of providers) expect(body).toMatch(new RegExp(`Providers \\(conversations served\\):.*\\b${provider} ${count}\\b`));
    const replies = SAVED.flatMap((saved) => saved.conversations.flatMap((message: any, index: number) => (message.role === 'assistant' ? [saved.metadata.messages[index]] : [])));
    for (const author of replies) expect(body).toContain(`${author.model} (${author.provider}) ${replies.filter((other) => other.model === author.model && other.provider === author.provider).length}`);
    const withTools = SAVED.filter((saved) => saved.metadata.toolCalls.length > 0).length;
    const calls = SAVED.reduce((sum, saved) => sum + saved.metadata.toolCalls.length, 0);
    expect(body).toContain(`Tool use: ${withTools} of ${SAVED.length} conversations (${Math.round((withTools / SAVED.length) * 100)} %) call a tool; ${calls} calls`);
    const dates = [...new Set(SAVED.map((saved) => String(saved.metadata.createdAt).slice(0, 10)))].sort();
    expect(body).toContain(dates.length === 1 ? `generated by nightshift on ${dates[0]} (UTC)` : `from ${dates[0]} to ${dates.at(-1)} (UTC)`);
    expect(body).toContain(`${SAVED.length} of them are dry-run conversations`);
    expect(body).toContain("TRL's `SFTTrainer`");
    expect(body).toContain('json.loads(row["tools"])');
  });

  it('--strip-thinking: no reasoning in any message, and the card says the rows were made without it', async () => {
    const { directory } = await exportHf({ stripThinking: true });
    for (const row of readRows(path.join(directory, 'data/train.jsonl'))) for (const message of row.messages) expect(message.content).not.toMatch(/<\/?think>/);
    expect(readCard(directory).body).toContain('Reasoning: removed from the replies');
  });
});

describe('replacing the directory', () => {
  it('a second export replaces an earlier hf export in place, leaving no staging or previous directory behind', async () => {
    const { directory } = await exportHf({ testSplit: SHARE });
    await exportHf({}, directory);
    expect(listFiles(directory)).toEqual(['README.md', 'data/train.jsonl']);
    expect(fs.readdirSync(path.dirname(directory))).toEqual([path.basename(directory)]);
  });

  it('a directory holding anything else is refused with a clear error and left exactly as it was', async () => {
    const directory = path.join(makeTemporaryDirectory(), 'mine');
    fs.mkdirSync(path.join(directory, 'data'), { recursive: true });
    fs.writeFileSync(path.join(directory, 'data', 'train.jsonl'), 'my own\n');
    fs.writeFileSync(path.join(directory, 'README.md'), '# my notes\n');
    const attempt = exportHf({}, directory);
    await expect(attempt).rejects.toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
    await expect(attempt).rejects.toThrow(/mine holds a README\.md, which an hf export did not write; choose a new --output directory/);
    fs.writeFileSync(path.join(directory, 'notes.txt'), 'keep\n');
    await expect(exportHf({}, directory)).rejects.toThrow(/holds notes\.txt/);
    expect(listFiles(directory)).toEqual(['README.md', 'data/train.jsonl', 'notes.txt']);
    expect(fs.readFileSync(path.join(directory, 'README.md'), 'utf8')).toBe('# my notes\n');
  });
});

describe('the rows as a chat template reads them', () => {
  it.each([false, true])(
    "Qwen2.5-Instruct's template (the Hermes markup the rows keep) renders every row with json.loads(tools): every message and every tool shown (strip thinking: %s)",
    async (stripThinking) => {
      const { directory } = await exportHf({ stripThinking });
      const rows = readRows(path.join(directory, 'data/train.jsonl'));
      const template = new Template(QWEN_2_5_INSTRUCT_TEMPLATE);
      for (const row of rows) {
        const tools = JSON.parse(row.tools);
        const rendered = template.render({ messages: row.messages, tools, add_generation_prompt: false });
        for (const message of row.messages) expect(rendered).toContain(message.role === 'tool' ? `<tool_response>\n${message.content}\n</tool_response>` : message.content.trim());
        for (const tool of tools) expect(rendered).toContain(`"name": "${tool.function.name}"`);
        expect(rendered.includes('<think>')).toBe(!stripThinking);
      }
    },
  );
});
