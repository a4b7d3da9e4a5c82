import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGenerateCommand } from '../../src/cli/generate-command.js';
import { captureStream } from '../helpers/capture-stream.js';
import { TEST_KEYS } from '../helpers/daemon.js';
import { makeTempDir, snapshotTree } from '../helpers/temp-dir.js';

/**
 * `sampling.<role>` in secrets.json is checked against the enabled providers where it is read; a
 * pipeline flag that wins over it (self-play's --temperature) is only known once the pipeline is
 * prepared, and must meet the same check before anything is written.
 */
/** A port nothing listens on: were the check missed, the run would fail here, never on the internet. */
const UNREACHABLE = { MISTRAL_BASE_URL: 'http://127.0.0.1:9', TOGETHER_BASE_URL: 'http://127.0.0.1:9' };

describe('a flag that sets a temperature Mistral refuses', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
  });
  afterEach(() => workspace.cleanup());

  async function generate(enabled: readonly string[], argv: readonly string[]) {
    const dataDir = path.join(workspace.path, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ mistral_api_key: TEST_KEYS.mistral, together_api_key: TEST_KEYS.together, enabled_providers: enabled }));
    const before = snapshotTree(dataDir);
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runGenerateCommand(['--data-dir', dataDir, '--target', '1', ...argv], { cwd: workspace.path, env: UNREACHABLE, stdout, stderr });
    return { code, stderr: stderr.text(), unchanged: () => expect(snapshotTree(dataDir)).toEqual(before) };
  }

  it('self-play --temperature 1.8 with a Mistral instance enabled is a configuration error naming the flag, with nothing written', async () => {
    const result = await generate(['mistral', 'together'], ['--pipeline', 'selfplay', '--temperature', '1.8']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Mistral accepts a temperature up to 1.5 and refuses more');
    expect(result.stderr).toContain("The selfplay pipeline's flags set the assistant role's temperature");
    expect(result.stderr).toContain('generate --pipeline selfplay --help');
    expect(result.stderr).toContain('1.8');
    expect(result.stderr).not.toContain(TEST_KEYS.mistral);
    result.unchanged();
  });
});
