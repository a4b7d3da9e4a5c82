import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('generate --output NAME.json, as the original tool was used', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
  });
  afterEach(() => workspace.cleanup());

  it('warns at start that the file is JSON Lines and names the export that writes a JSON array', async () => {
    const output = path.join(workspace.path, 'my_data.json');
    const result = await runCli(
      ['generate', '--offline', '--seed', '3', '--target', '1', '--users', '1', '--turns', '1-1', '--data-dir', path.join(workspace.path, 'data'), '--output', output],
      { cwd: workspace.path },
    );
    expect(result.code).toBe(0);
    const warning = `${output} will be JSON Lines (one conversation per line), not a JSON array; for the original tool's JSON array run: npm run export -- --format json --input ${output}`;
    const log = result.stdout + result.stderr;
    expect(log).toContain(warning);
    // And it is JSON Lines, as said.
    const lines = readFileSync(output, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).conversations.length).toBeGreaterThan(1);
  });
});
