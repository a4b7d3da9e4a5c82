import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

interface SelfplayLine {
  id: string;
  conversations: { role: string; content: string }[];
  label: boolean;
  metadata: Record<string, unknown> & { session_id: string; prompt_set?: { index: number; tool?: string } };
}

const readLines = (file: string): SelfplayLine[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as SelfplayLine)
    : [];

const userText = (line: SelfplayLine) => line.conversations.find((message) => message.role === 'user')?.content;

describe('self-play flags on an offline run', () => {
  const workspace = makeTempDir('nightshift-selfplay-flags-');
  afterAll(() => workspace.cleanup());

  async function run(name: string, flags: readonly string[]) {
    const dataDir = path.join(workspace.path, name);
    const temporary = path.join(workspace.path, `${name}-tmp`);
    mkdirSync(temporary, { recursive: true });
    const result = await runCli(['generate', '--offline', '--pipeline', 'selfplay', '--data-dir', dataDir, '--seed', '5', ...flags], {
      cwd: workspace.path,
      env: { TMPDIR: temporary },
      timeoutMs: 180_000,
    });
    const folder = path.join(dataDir, 'trainingData');
    const lines = [...readLines(path.join(folder, 'selfplay_output.jsonl')), ...readLines(path.join(folder, 'selfplay_output_invalid.jsonl'))];
    return { result, dataDir, lines };
  }

  it('--num-variations 3 answers each request three times: the examples of one request share its session and its words', async () => {
    const { result, lines } = await run('variations', ['--target', '9', '--num-variations', '3', '--concurrency', '3']);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const bySession = new Map<string, SelfplayLine[]>();
    for (const line of lines) bySession.set(line.metadata.session_id, [...(bySession.get(line.metadata.session_id) ?? []), line]);
    const sizes = [...bySession.values()].map((group) => group.length);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.every((size) => size <= 3)).toBe(true);
    expect(bySession.size).toBeLessThan(lines.length);
    for (const group of bySession.values()) expect(new Set(group.map(userText)).size).toBe(1);
    // Each variation is its own example, with its own id.
    expect(new Set(lines.map((line) => line.id)).size).toBe(lines.length);
  }, 200_000);

  it('--prompt-set uses the seed prompts in turn instead of generated requests, and records which one and its tool', async () => {
    const file = path.join(workspace.path, 'prompts.json');
    const prompts = ['whats in my projects folder', { prompt: 'open the note about tacos pls', tool: 'vault_read_text_file' }, { prompt: 'delete all the old drafts', behavior: 'verification-before-action' }];
    writeFileSync(file, JSON.stringify(prompts));
    const { result, lines } = await run('prompt-set', ['--target', '6', '--prompt-set', file, '--concurrency', '2']);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const texts = prompts.map((entry) => (typeof entry === 'string' ? entry : entry.prompt));
    for (const line of lines) {
      const seed = line.metadata.prompt_set;
      expect(seed, JSON.stringify(line.metadata)).toBeDefined();
      expect(userText(line)).toBe(texts[seed!.index]);
      expect(seed!.tool).toBe(seed!.index === 1 ? 'vault_read_text_file' : undefined);
      expect(line.metadata.type).toBe(seed!.index === 2 ? 'behavioral' : 'tool-based');
    }
    // Every prompt was used: they are taken in turn.
    expect(new Set(lines.map((line) => line.metadata.prompt_set!.index))).toEqual(new Set([0, 1, 2]));
  }, 200_000);

  it('a bad prompt set is a configuration error (exit 2) that says where and what, and nothing is written', async () => {
    const cases: [string, string, RegExp][] = [
      ['missing.json', '', /--prompt-set .*missing\.json cannot be read \(ENOENT\)/],
      ['not-json.json', '[ "open it", ', /is not valid JSON/],
      ['empty.json', '[]', /the list is empty/],
      ['bad-entry.json', '["fine", {"prompt": ""}]', /at \[1\]\[prompt\]: a prompt may not be empty/],
      ['bad-behavior.json', '[{"prompt": "x", "behavior": "rudeness"}]', /at \[0\]\[behavior\].*"behavior" is one of intellectual-humility/],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(workspace.path, name);
      if (content !== '') writeFileSync(file, content);
      const { result, dataDir } = await run(`bad-${name}`, ['--target', '3', '--prompt-set', file]);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(message);
      expect(existsSync(path.join(dataDir, 'trainingData')), name).toBe(false);
    }
  }, 120_000);

  it('a prompt naming a tool that is not offered is a configuration error naming the offered tools', async () => {
    const file = path.join(workspace.path, 'unknown-tool.json');
    writeFileSync(file, JSON.stringify([{ prompt: 'find tacos', tool: 'vault_find_note' }]));
    const { result, dataDir } = await run('unknown-tool', ['--target', '3', '--prompt-set', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/at \[0\]: the tool "vault_find_note" is not offered\. The tools are: .*vault_read_text_file/);
    // The output was opened before the servers could say which tools they offer; it is not left behind empty.
    const outputs = existsSync(path.join(dataDir, 'trainingData')) ? readdirSync(path.join(dataDir, 'trainingData')) : [];
    expect(outputs.filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  }, 120_000);
});
