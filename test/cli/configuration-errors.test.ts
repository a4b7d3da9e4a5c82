import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, runCli } from '../helpers/run-cli.js';
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

  it('the first run without any configuration writes the template into the data directory, and nothing else', async () => {
    rmSync(dataDir, { recursive: true });
    const result = await runCli(['generate', '--target', '5'], { cwd: workspace.path });
    expect(result.code).toBe(2);
    expect(Object.keys(snapshotTree(workspace.path))).toEqual([path.join('data', 'secrets.json')]);
    const template = readFileSync(path.join(dataDir, 'secrets.json'), 'utf8');
    expect(template).toBe(readFileSync(path.join(REPOSITORY_ROOT, 'secrets.example.json'), 'utf8'));
    expect(JSON.parse(template)).toEqual({ mistral_api_key: 'your_key_here', together_api_key: 'your_key_here', huggingface_api_key: 'your_key_here' });
    expect(result.stderr).toContain('a template was written to data/secrets.json');
    for (const key of ['mistral_api_key', 'together_api_key', 'huggingface_api_key', 'MISTRAL_API_KEY', '--offline']) expect(result.stderr).toContain(key);

    // Run again without filling it in: the file is read (placeholders count as no key), never rewritten.
    const before = snapshotTree(workspace.path);
    const again = await runCli(['generate', '--target', '5'], { cwd: workspace.path });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('No API clients initialized');
    expect(again.stderr).toContain('mistral: the key is still the template placeholder');
    expect(snapshotTree(workspace.path)).toEqual(before);
  });

  it('the template goes to --data-dir; a key in the environment or --config means no template', async () => {
    const elsewhere = await runCli(['generate', '--target', '5', '--data-dir', 'runs/one'], { cwd: workspace.path });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('a template was written to runs/one/secrets.json');
    expect(Object.keys(snapshotTree(path.join(workspace.path, 'runs')))).toEqual([path.join('one', 'secrets.json')]);
    await expectConfigError(['--config', 'missing.json']);
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

  it('a wrong type names the file, line, column and key and the expected type in words, without echoing a string', async () => {
    writeSecrets(`{\n  "mistral_api_key": 12345,\n  "enabled_providers": "${SECRET}",\n  "providers": {"mistral": {"max_concurrency": "8"}}\n}\n`);
    const message = await expectConfigError([]);
    expect(message).toContain('data/secrets.json:2:22: mistral_api_key: expected the Mistral API key (a string), got `12345` (number)');
    expect(message).toContain('data/secrets.json:3:24: enabled_providers: expected a list of provider names such as ["mistral", "together"], got a string');
    expect(message).toContain('data/secrets.json:4:48: providers.mistral.max_concurrency: expected a positive integer');
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

  it('--providers naming a provider without a key is refused with where the key goes', async () => {
    writeSecrets(JSON.stringify({ mistral_api_key: SECRET }));
    const message = await expectConfigError(['--providers', 'together']);
    expect(message).toContain('--providers names together, which cannot be used without a key');
    expect(message).toContain('TOGETHER_API_KEY');
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
