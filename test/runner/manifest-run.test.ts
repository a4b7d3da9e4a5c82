import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const user = (id: string, name: string) => ({ id, name, age: 30, situation: 'a nurse on night shifts', interests: ['running'], style: 'brief' });

describe('a real run keeps the manifest, and a resume with an edited users file is called out', () => {
  const workspace = makeTempDir('nightshift-manifest-run-');
  afterAll(() => workspace.cleanup());
  const dataDir = path.join(workspace.path, 'data');
  const usersFile = path.join(workspace.path, 'users.json');
  const manifestFile = path.join(dataDir, 'trainingData', 'conversations.manifest.json');
  const generate = (target: number) =>
    runCli(['generate', '--offline', '--target', String(target), '--seed', '3', '--data-dir', dataDir, '--users-file', usersFile, '--log-format', 'json'], {
      cwd: workspace.path,
      timeoutMs: 120_000,
    });
  const status = () => runCli(['status', '--data-dir', dataDir], { cwd: workspace.path });

  it('records the prompts, the users file, the models and the counts, and status says CURRENT', async () => {
    writeFileSync(usersFile, JSON.stringify([user('u1', 'Nora'), user('u2', 'Omar')]));
    const run = await generate(3);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { current: string; target: number; combinations: { fingerprint: string; prompts: Record<string, string>; models: Record<string, Record<string, string>>; valid: number; invalid: number }[] };
    expect(manifest.target).toBe(3);
    expect(manifest.combinations).toHaveLength(1);
    const [entry] = manifest.combinations;
    expect(entry?.fingerprint).toBe(manifest.current);
    expect(Object.keys(entry?.prompts ?? {})).toEqual(['systemprompts/ada.md', 'systemprompts/tester.md', 'systemprompts/rewriter.md', usersFile]);
    expect(entry?.models['mistral']).toEqual({ tester: 'offline-tester', assistant: 'offline-assistant', rewriter: 'offline-rewriter' });
    const outputLines = readFileSync(path.join(dataDir, 'trainingData', 'conversations.jsonl'), 'utf8').trim().split('\n').length;
    expect(entry?.valid).toBe(outputLines);
    const shown = await status();
    expect(shown.stdout).toContain('📦 Output CURRENT: all 3 lines made with the latest prompts and models');
  }, 150_000);

  it('a resume with another users file warns at start, and status says STALE with how many lines', async () => {
    writeFileSync(usersFile, JSON.stringify([user('u3', 'Pia'), user('u4', 'Quentin')]));
    const run = await generate(5);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const warning = run.stdout.split('\n').find((line) => line.includes('resuming with other inputs'));
    expect(warning).toContain(`prompt ${usersFile} changed`);
    expect(warning).toContain('the 3 line(s) already saved');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { combinations: { valid: number }[] };
    expect(manifest.combinations.map((entry) => entry.valid)).toEqual([3, 2]);
    const shown = await status();
    expect(shown.stdout).toContain('📦 Output STALE: 3 of 5 lines made with other prompts or models');
    const json = JSON.parse((await runCli(['status', '--data-dir', dataDir, '--json'], { cwd: workspace.path })).stdout) as { freshness: { state: string; staleLines: number } };
    expect(json.freshness).toMatchObject({ state: 'STALE', staleLines: 3 });
  }, 150_000);
});
