import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RunManifest, type RunManifestOptions } from '../../src/runner/run-manifest.js';
import { describeFreshness, readManifest, type DatasetManifest } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const directories: { cleanup(): void }[] = [];
afterEach(() => directories.splice(0).forEach((directory) => directory.cleanup()));

/** A logger whose records the test reads back: the warnings are what a person sees at start. */
function recordingLogger() {
  const records: { level: number; msg: string; changes?: string[] }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()) as (typeof records)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), warnings: () => records.filter((record) => record.level === 40) };
}

function setup() {
  const directory = makeTempDir('nightshift-manifest-');
  directories.push(directory);
  const outputPath = path.join(directory.path, 'out.jsonl');
  const manifestFile = path.join(directory.path, 'out.manifest.json');
  const options = (overrides: Partial<RunManifestOptions> = {}): RunManifestOptions => ({
    outputPath,
    pipeline: { name: 'ada', version: '1.4.0' },
    inputs: { files: { 'systemprompts/ada.md': 'aaa', 'systemprompts/tester.md': 'ttt' }, sampling: { assistant: { temperature: 0.7 } } },
    models: { mistral: { assistant: 'mistral-medium-latest', tester: 'mistral-small-latest' } },
    target: 10,
    alreadySaved: 0,
    logger: pino({ level: 'silent' }),
    writeIntervalMs: 0,
    ...overrides,
  });
  const read = (): DatasetManifest => {
    const result = readManifest(manifestFile);
    if (result.kind !== 'read') throw new Error(`expected a manifest, got ${result.kind}`);
    return result.manifest;
  };
  return { directory: directory.path, manifestFile, options, read };
}

describe('the manifest beside the output', () => {
  it('records the run inputs and counts valid and invalid lines under them', () => {
    const { options, read } = setup();
    const manifest = new RunManifest(options());
    manifest.saved(true);
    manifest.saved(true);
    manifest.saved(false);
    manifest.close();
    const written = read();
    expect(written.output).toBe('out.jsonl');
    expect(written.combinations).toHaveLength(1);
    expect(written.combinations[0]).toMatchObject({
      fingerprint: written.current,
      pipeline: { name: 'ada', version: '1.4.0' },
      prompts: { 'systemprompts/ada.md': 'aaa' },
      models: { mistral: { assistant: 'mistral-medium-latest' } },
      sampling: { assistant: { temperature: 0.7 } },
      valid: 2,
      invalid: 1,
    });
  });

  it('a resume with another model and an edited prompt warns naming both, and keeps the counts apart', () => {
    const { options, read } = setup();
    const first = new RunManifest(options());
    for (let index = 0; index < 4; index++) first.saved(true);
    first.close();
    const { logger, warnings } = recordingLogger();
    const second = new RunManifest(
      options({
        alreadySaved: 4,
        logger,
        inputs: { files: { 'systemprompts/ada.md': 'bbb', 'systemprompts/tester.md': 'ttt' }, sampling: { assistant: { temperature: 0.7 } } },
        models: { mistral: { assistant: 'mistral-large-latest', tester: 'mistral-small-latest' } },
      }),
    );
    second.saved(true);
    second.close();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.changes).toEqual(['prompt systemprompts/ada.md changed', 'mistral assistant model mistral-medium-latest → mistral-large-latest']);
    expect(warnings()[0]?.msg).toContain('the 4 line(s) already saved');
    const written = read();
    expect(written.combinations.map((entry) => entry.valid)).toEqual([4, 1]);
    expect(written.current).toBe(written.combinations[1]?.fingerprint);
    expect(describeFreshness(written, '/nowhere')).toMatchObject({ state: 'STALE', lines: 5, staleLines: 4 });
  });

  it('a resume whose MCP server offers other tools warns naming them, and the earlier lines are STALE', () => {
    const { options, read } = setup();
    const tool = (name: string, description: string) => ({ type: 'function' as const, function: { name, description, parameters: { type: 'object', properties: {} } } });
    const first = new RunManifest(options({ tools: [tool('vault_read', 'Reads a note.'), tool('vault_list', 'Lists notes.')] }));
    for (let index = 0; index < 3; index++) first.saved(true);
    first.close();
    expect(Object.keys(read().combinations[0]?.tools ?? {})).toEqual(['vault_read', 'vault_list']);
    const { logger, warnings } = recordingLogger();
    const second = new RunManifest(options({ alreadySaved: 3, logger, tools: [tool('vault_read', 'Reads a note, whole.'), tool('vault_search', 'Finds notes.')] }));
    second.saved(true);
    second.close();
    expect(warnings()[0]?.changes).toEqual(['tool vault_read changed', 'tool vault_list no longer offered', 'tool vault_search added']);
    expect(describeFreshness(read(), '/nowhere')).toMatchObject({ state: 'STALE', lines: 4, staleLines: 3 });
  });

  it('a manifest written before tools were recorded is not called stale for recording them now', () => {
    const { options, read } = setup();
    const first = new RunManifest(options());
    for (let index = 0; index < 2; index++) first.saved(true);
    first.close();
    const { logger, warnings } = recordingLogger();
    const second = new RunManifest(options({ alreadySaved: 2, logger, tools: [{ type: 'function', function: { name: 'memory_recall', description: 'Recalls.', parameters: {} } }] }));
    second.saved(true);
    second.close();
    expect(warnings()).toEqual([]);
    expect(describeFreshness(read(), '/nowhere')).toMatchObject({ state: 'PARTIAL', lines: 3, staleLines: 0 });
    // Nor are its lines "made with other sampling settings": the sampling is the same.
    expect(describeFreshness(read(), '/nowhere').otherSamplingLines).toBe(0);
  });

  it('a resume with other sampling only warns without calling the lines stale, and status counts them apart', () => {
    const { options, read } = setup();
    const first = new RunManifest(options({ target: 5 }));
    for (let index = 0; index < 3; index++) first.saved(true);
    first.close();
    const { logger, warnings } = recordingLogger();
    const warmer = { files: { 'systemprompts/ada.md': 'aaa', 'systemprompts/tester.md': 'ttt' }, sampling: { assistant: { temperature: 1.2, topP: 0.9 } } };
    const second = new RunManifest(options({ target: 5, alreadySaved: 3, logger, inputs: warmer }));
    second.saved(true);
    second.saved(true);
    second.close();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.changes).toEqual(['sampling settings changed']);
    expect(warnings()[0]?.msg).toContain('they are not stale');
    expect(warnings()[0]?.msg).not.toContain('STALE');
    const written = read();
    expect(written.combinations.map((entry) => entry.sampling)).toEqual([{ assistant: { temperature: 0.7 } }, { assistant: { temperature: 1.2, topP: 0.9 } }]);
    expect(describeFreshness(written, '/nowhere')).toMatchObject({
      state: 'CURRENT',
      staleLines: 0,
      otherSamplingLines: 3,
      description: 'CURRENT: all 5 lines made with the latest prompts and models; 3 of them with other sampling settings',
    });
  });

  it('lines saved after the last write, before a crash, count for the combination that was running', () => {
    const { options, read } = setup();
    const crashed = new RunManifest(options({ writeIntervalMs: 60_000 }));
    crashed.saved(true); // written at once: the first write of the run
    crashed.saved(true); // held for the interval, then the process died
    const { logger, warnings } = recordingLogger();
    new RunManifest(options({ alreadySaved: 6, logger })).close();
    expect(warnings()).toEqual([]);
    expect(read().combinations.map((entry) => entry.valid)).toEqual([6]);
  });

  it('an output deleted to start afresh is not counted: no mixing warning, the fresh lines alone are CURRENT', () => {
    const { options, read } = setup();
    const first = new RunManifest(options({ models: { mistral: { assistant: 'old-model', tester: 'mistral-small-latest' } } }));
    for (let index = 0; index < 20; index++) first.saved(true);
    first.close();
    const { logger, warnings } = recordingLogger();
    const second = new RunManifest(options({ alreadySaved: 0, logger, target: 5 }));
    for (let index = 0; index < 5; index++) second.saved(true);
    second.close();
    expect(warnings().map((warning) => warning.msg)).toEqual([expect.stringContaining('counts 20 line(s) but the output holds 0')]);
    const written = read();
    expect(written.combinations.map((entry) => entry.valid)).toEqual([5]);
    expect(describeFreshness(written, '/nowhere')).toMatchObject({ state: 'CURRENT', lines: 5, staleLines: 0 });
  });

  it('an output cut by hand loses the latest runs\' lines from the counts, not the oldest', () => {
    const { options, read } = setup();
    const older = new RunManifest(options({ models: { mistral: { assistant: 'old-model', tester: 'mistral-small-latest' } }, now: () => Date.parse('2026-12-01T20:00:00Z') }));
    for (let index = 0; index < 4; index++) older.saved(true);
    older.close();
    const newer = new RunManifest(options({ alreadySaved: 4, now: () => Date.parse('2026-12-01T21:00:00Z') }));
    for (let index = 0; index < 6; index++) newer.saved(true);
    newer.close();
    new RunManifest(options({ alreadySaved: 7, now: () => Date.parse('2026-12-01T22:00:00Z') })).close();
    expect(read().combinations.map((entry) => entry.valid)).toEqual([4, 3]);
  });

  it('an output from before manifests existed is counted as made with unknown inputs', () => {
    const { options, read } = setup();
    const { logger, warnings } = recordingLogger();
    new RunManifest(options({ alreadySaved: 7, logger })).close();
    expect(warnings()[0]?.msg).toContain('made before the output had a manifest');
    const freshness = describeFreshness(read(), '/nowhere');
    expect(freshness).toMatchObject({ state: 'STALE', lines: 7, staleLines: 7 });
    expect(freshness.description).toBe('STALE: 7 of 7 lines made with other prompts or models; PARTIAL: 7 of 10 lines (target not reached)');
  });

  it('an unreadable manifest is replaced with a warning, never a crash', () => {
    const { options, manifestFile, read } = setup();
    writeFileSync(manifestFile, '{"half": ');
    const { logger, warnings } = recordingLogger();
    new RunManifest(options({ logger })).close();
    expect(warnings()[0]?.msg).toContain('is unreadable (not JSON');
    expect(read().combinations).toHaveLength(1);
  });

  it('is PARTIAL below the target, CURRENT at it, STALE once a recorded prompt file is edited', () => {
    const { options, read, directory } = setup();
    const prompt = path.join(directory, 'prompt.md');
    writeFileSync(prompt, 'You are Ada.');
    const hash = createHash('sha256').update('You are Ada.').digest('hex');
    const manifest = new RunManifest(options({ target: 2, inputs: { files: { [prompt]: hash } } }));
    manifest.saved(true);
    expect(describeFreshness(read(), directory)).toMatchObject({ state: 'PARTIAL', description: 'PARTIAL: 1 of 2 lines (target not reached)' });
    manifest.saved(true);
    manifest.close();
    expect(describeFreshness(read(), directory)).toMatchObject({ state: 'CURRENT', description: 'CURRENT: all 2 lines made with the latest prompts and models' });
    writeFileSync(prompt, 'You are Ada, now terse.');
    expect(describeFreshness(read(), directory)).toMatchObject({ state: 'STALE', staleLines: 2, editedPrompts: [prompt] });
  });
});
