import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir, snapshotTree } from '../helpers/temp-dir.js';

const SECRET = 'sk-live-DO-NOT-ECHO-1234567890';

describe('generate with a bad configuration, as a real child process', () => {
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;

  beforeEach(() => {
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    mkdirSync(dataDir);
  });
  afterEach(() => workspace.cleanup());

  const writeSecrets = (content: string) => writeFileSync(path.join(dataDir, 'secrets.json'), content);

  async function expectConfigError(args: string[], env: Record<string, string> = {}) {
    const before = snapshotTree(workspace.path);
    const result = await runCli(['generate', '--target', '5', ...args], { cwd: workspace.path, env });
    expect(result.code).toBe(2);
    expect(snapshotTree(workspace.path)).toEqual(before);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    return result.stderr;
  }

  it('a missing secrets.json says how to create it from the template and what to do next', async () => {
    const message = await expectConfigError([]);
    expect(message).toContain('data/secrets.json does not exist');
    expect(message).toContain('cp secrets.example.json data/secrets.json');
    expect(message).toContain('--offline');
  });

  it('invalid JSON names the file, the line and the column', async () => {
    writeSecrets(`{\n  "mistral_api_key": "${SECRET}",\n}\n`);
    const message = await expectConfigError([]);
    expect(message).toMatch(/data\/secrets\.json is not valid JSON at line 3, column 1/);
  });

  it('a placeholder key counts as missing, for an enabled provider', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: 'your_key_here', enabled_providers: ['mistral'] }));
    const message = await expectConfigError([]);
    expect(message).toContain('mistral');
    expect(message).toContain('placeholder');
  });

  it('an enabled provider without a key is named with where to put the key', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: SECRET, enabled_providers: ['mistral', 'together'] }));
    const message = await expectConfigError([]);
    expect(message).toContain('together: no key');
    expect(message).toContain('TOGETHER_API_KEY');
  });

  it('an unknown provider name lists the valid ones', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: SECRET, enabled_providers: ['mistral', 'anthropic'] }));
    const message = await expectConfigError([]);
    expect(message).toContain('unknown provider "anthropic"');
    expect(message).toContain('mistral, together, huggingface, openai_compatible');
  });

  it('a wrong type names the key and the expected type without echoing the value', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: 12345, enabled_providers: 'mistral' }));
    const message = await expectConfigError([]);
    expect(message).toContain('mistral_api_key: expected mistral_api_key (a string), got `12345` (number)');
    expect(message).toContain('enabled_providers: expected a list of provider names');
  });

  it('a zero or negative rate is refused with the key path', async () => {
    writeSecrets(
      JSON.stringify({
        mistral_api_key: SECRET,
        providers: { mistral: { requests_per_second: 0, max_concurrency: -2 } },
      }),
    );
    const message = await expectConfigError([]);
    expect(message).toContain('providers.mistral.requests_per_second');
    expect(message).toContain('greater than 0, got `0` (number)');
    expect(message).toContain('providers.mistral.max_concurrency');
  });

  it('no provider left says "No API clients initialized" with a reason per provider', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: 'your_key_here', together_api_key: '' }));
    const message = await expectConfigError([]);
    expect(message).toContain('No API clients initialized');
    expect(message).toMatch(/mistral: the key is still the template placeholder/);
    expect(message).toMatch(/together: no key/);
    expect(message).toMatch(/huggingface: no key/);
  });

  it('--providers naming a provider that is not enabled is refused', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: SECRET }));
    const message = await expectConfigError(['--providers', 'together']);
    expect(message).toContain('--providers names together');
  });

  it('--config pointing nowhere names the path', async () => {
    const message = await expectConfigError(['--config', 'elsewhere/secrets.json']);
    expect(message).toContain('elsewhere/secrets.json (from --config) does not exist');
  });

  it('a bad flag value is a configuration error too', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: SECRET }));
    const message = await expectConfigError(['--turns', '3-1']);
    expect(message).toContain('--turns expects MIN-MAX');
  });
});
