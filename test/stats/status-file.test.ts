import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyStatus, describeStatus } from '../../src/stats/describe-status.js';
import {
  readStatusFile,
  StatusFileError,
  statusFilePath,
  writeStatusFile,
  writeStatusFileSync,
} from '../../src/stats/status-file.js';
import { runStatus } from './fixtures.js';

let directory: string;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
});
afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('writing and reading the status file', () => {
  it('round-trips a status through the file', async () => {
    const file = statusFilePath(directory);
    const status = runStatus({ stopReason: 'SIGINT', state: 'draining' });
    await writeStatusFile(file, status);
    expect(await readStatusFile(file)).toEqual(status);
    writeStatusFileSync(file, { ...status, state: 'stopped' });
    expect((await readStatusFile(file)).state).toBe('stopped');
  });

  it('a reader polling during many concurrent rewrites always finds a whole, valid file', async () => {
    const file = statusFilePath(directory);
    await writeStatusFile(file, runStatus({ saved: 0 }));
    let reading = true;
    let reads = 0;
    const failures: unknown[] = [];
    const reader = (async () => {
      while (reading) {
        // readStatusFile throws on a torn, partial or empty file.
        await readStatusFile(file).then(
          () => reads++,
          (error: unknown) => failures.push(error),
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const writes: Promise<void>[] = [];
    for (let saved = 1; saved <= 200; saved++) {
      // Sizes vary so a torn write would show as a truncated or mixed file.
      writes.push(writeStatusFile(file, runStatus({ saved, stopReason: 'x'.repeat((saved % 7) * 5000) })));
      if (saved % 20 === 0) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    reading = false;
    await reader;
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    await writeStatusFile(file, runStatus({ saved: 201 }));
    expect((await readStatusFile(file)).saved).toBe(201);
    // No temporary file is left behind.
    expect(fs.readdirSync(directory)).toEqual(['status.json']);
  });

  it('a missing file is STATUS_FILE_MISSING', async () => {
    const error = await readStatusFile(statusFilePath(directory)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StatusFileError);
    expect((error as StatusFileError).code).toBe('STATUS_FILE_MISSING');
  });

  it('a torn file is STATUS_FILE_INVALID with a message that says what to do', async () => {
    const file = statusFilePath(directory);
    fs.writeFileSync(file, '{"saved": 15');
    await expect(readStatusFile(file)).rejects.toThrow(/is not valid JSON .*rewrites it on its next update/);
  });

  it('a file of the wrong shape names the fields that are wrong', async () => {
    const file = statusFilePath(directory);
    fs.writeFileSync(file, JSON.stringify({ ...runStatus(), saved: 'many', state: 'sleeping' }));
    const error = (await readStatusFile(file).catch((caught: unknown) => caught)) as StatusFileError;
    expect(error.code).toBe('STATUS_FILE_INVALID');
    expect(error.message).toContain('saved:');
    expect(error.message).toContain('state:');
  });
});

describe('describeStatus', () => {
  const updatedAt = Date.parse('2026-11-22T03:00:00.000Z');
  const alive = () => true;
  const dead = () => false;

  it('a fresh update from a live pid is running, with progress, providers, ETA and where things are', () => {
    const status = runStatus();
    const options = { now: () => updatedAt + 4000, isProcessAlive: alive };
    expect(classifyStatus(status, options)).toBe('running');
    const text = describeStatus(status, options);
    expect(text).toContain('🟢 running — pid 4242, started 1.8 h ago, last update 4 s ago');
    expect(text).toContain('📊 Progress: 1500/5000 (30.0%)');
    expect(text).toContain('ETA 4.1 h');
    expect(text).toContain('mistral 850 conv');
    expect(text).toContain('output: data/trainingData/ada.jsonl');
    expect(text).toContain('log: data/logs/run-2026-11-22T01-14-07Z.log (follow it: tail -F data/logs/latest.log)');
  });

  it('a dead pid while the file says running means it stopped without finishing', () => {
    const status = runStatus();
    const options = { now: () => updatedAt + 12 * 60_000, isProcessAlive: dead };
    expect(classifyStatus(status, options)).toBe('dead');
    expect(describeStatus(status, options)).toContain(
      'the daemon is not running (last update 12 min ago); it stopped without finishing — run the same command to resume',
    );
  });

  it('a live pid that has missed three progress intervals is stalled', () => {
    const status = runStatus({ progressIntervalMs: 30_000 });
    expect(classifyStatus(status, { now: () => updatedAt + 90_000, isProcessAlive: alive })).toBe('running');
    const options = { now: () => updatedAt + 91_000, isProcessAlive: alive };
    expect(classifyStatus(status, options)).toBe('stalled');
    expect(describeStatus(status, options)).toContain(
      'stalled — pid 4242 is alive but its last update was 2 min ago (it updates every 30 s)',
    );
  });

  it('a draining run says it is finishing what is in flight and why', () => {
    const status = runStatus({ state: 'draining', stopReason: 'SIGINT' });
    const text = describeStatus(status, { now: () => updatedAt, isProcessAlive: alive });
    expect(text).toContain('draining — pid 4242 is finishing the conversations in flight and starting no new ones (SIGINT)');
  });

  it('a finished run shows the summary whatever became of its pid', () => {
    const status = runStatus({ state: 'finished', saved: 5000, percent: 100, stopReason: 'target reached' });
    const options = { now: () => updatedAt + 3_600_000, isProcessAlive: dead };
    expect(classifyStatus(status, options)).toBe('finished');
    const text = describeStatus(status, options);
    expect(text).toContain('✅ finished 1.0 h ago');
    expect(text).toContain('🏁 Run summary: 5000/5000 conversations (100.0%)');
    expect(text).toContain('stopped: target reached');
    expect(text).toContain('wall time 1.8 h');
  });

  it('a run stopped short of its target says why and how to continue', () => {
    const status = runStatus({ state: 'stopped', stopReason: 'token budget reached: 1,000,512 of 1,000,000 tokens' });
    const text = describeStatus(status, { now: () => updatedAt, isProcessAlive: dead });
    expect(text).toContain(
      '⏹️ stopped 0 s ago: token budget reached: 1,000,512 of 1,000,000 tokens — run the same command to continue to the target',
    );
  });
});
