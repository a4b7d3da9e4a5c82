import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { loadAdapters } from '../../src/providers/load-adapters.js';
import { runRecordingResolutions } from '../helpers/resolved-modules.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';

/** Each SDK's folder under node_modules, as a resolved module URL names it. */
const SDK_FOLDERS = {
  mistral: '/node_modules/@mistralai/mistralai/',
  together: '/node_modules/together-ai/',
  huggingface: '/node_modules/@huggingface/inference/',
  openai_compatible: '/node_modules/openai/',
} as const;

/**
 * Every module URL a fresh Node process resolves while it loads the compiled `loadAdapters` for
 * `names` (a resolve hook reports each one), as the daemon does at start.
 */
function modulesLoadedFor(names: readonly string[]): Promise<string[]> {
  return modulesLoadedWhile(`const adapters = loadAdapters(${JSON.stringify(names)}); adapters.loadSlowOnes(); await adapters.loaded;`);
}

/** The module URLs resolved while `body` runs (with `loadAdapters` in scope), then `'|'` and those resolved by `after`. */
async function modulesLoadedWhile(body: string, after = ''): Promise<string[]> {
  const loader = pathToFileURL(path.join(REPOSITORY_ROOT, 'dist/providers/load-adapters.js')).href;
  const { urls } = await runRecordingResolutions(`
    const { loadAdapters } = await import(${JSON.stringify(loader)});
    ${body}
    await new Promise((resolve) => setTimeout(resolve, 100));
    urls.push('|');
    ${after}`);
  return urls;
}

describe('loading the adapters of the configured providers only', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('a run on Together and Hugging Face never loads the Mistral or the openai SDK', async () => {
    const urls = await modulesLoadedFor(['together', 'huggingface']);
    const loaded = (folder: string): boolean => urls.some((url) => url.includes(folder));
    expect(loaded(SDK_FOLDERS.together)).toBe(true);
    expect(loaded(SDK_FOLDERS.huggingface)).toBe(true);
    expect(loaded(SDK_FOLDERS.mistral)).toBe(false);
    expect(loaded(SDK_FOLDERS.openai_compatible)).toBe(false);
  });

  it('a run on Mistral and Together starts on Together: the Mistral SDK loads only once asked to, after Together\'s', async () => {
    const urls = await modulesLoadedWhile(
      `globalThis.adapters = loadAdapters(['mistral', 'together']);
       await globalThis.adapters.deferred('together', { apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' }).ready;
       await new Promise((resolve) => setTimeout(resolve, 300));`,
      `const mistral = globalThis.adapters.deferred('mistral', { apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
       globalThis.adapters.loadSlowOnes();
       await mistral.ready;`,
    );
    const split = urls.indexOf('|');
    const before = urls.slice(0, split);
    const after = urls.slice(split + 1);
    expect(before.some((url) => url.includes(SDK_FOLDERS.together))).toBe(true);
    expect(before.some((url) => url.includes(SDK_FOLDERS.mistral))).toBe(false);
    expect(after.some((url) => url.includes(SDK_FOLDERS.mistral))).toBe(true);
  });

  it('a deferred adapter given a request before its SDK has loaded sends it once loaded', async () => {
    const adapters = loadAdapters(['mistral']);
    const provider = adapters.deferred('mistral', { name: 'mistral-b', apiKey: 'load-adapters-key-1234', baseUrl: emulator.baseUrls.mistral });
    expect(provider.name).toBe('mistral-b');
    const result = await provider.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'Hello there.' }] });
    expect(result.provider).toBe('mistral-b');
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('a loaded adapter streams a real reply from the emulator, as createProvider\'s does', async () => {
    const provider = loadAdapters(['mistral']).deferred('mistral', { apiKey: 'load-adapters-key-1234', baseUrl: emulator.baseUrls.mistral });
    await provider.ready;
    const result = await provider.complete({ model: 'emulator-tester', messages: [{ role: 'user', content: 'Hello there.' }] });
    expect(result.provider).toBe('mistral');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('stop');
  });

  it('asking for a provider that was not loaded says which ones were', async () => {
    const adapters = loadAdapters(['together']);
    await adapters.loaded;
    expect(() => adapters.deferred('mistral', { apiKey: 'load-adapters-key-1234', baseUrl: emulator.baseUrls.mistral })).toThrow(
      'The mistral adapter was not loaded: expected one of together; name it in loadAdapters.',
    );
  });
});
