import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/core/redact.js';
import { RejectsFile, type RejectRecord } from '../../src/store/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY = 'together-secret-key-77aa91';

function record(id: string, message = 'the assistant wrote nothing'): RejectRecord {
  return {
    id,
    time: '2026-12-01T23:00:00.000Z',
    pipeline: { name: 'ada', version: '1.4.0' },
    reason: 'empty_reply',
    failedStep: 'assistant reply 1',
    error: { kind: 'unusable_reply', message },
    steps: [{ role: 'assistant', provider: 'together', model: 'm', request: [{ role: 'user', content: 'hi' }], reply: '' }],
  };
}

let workspace: { path: string; cleanup: () => void };
beforeEach(() => {
  workspace = makeTempDir();
});
afterEach(() => workspace.cleanup());

describe('the rejects file', () => {
  it('a run that rejects nothing leaves no file; each record is one whole line, in order', async () => {
    const file = path.join(workspace.path, 'data', 'rejects.jsonl');
    const rejects = new RejectsFile(file, createRedactor([]));
    await rejects.close();
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    const again = new RejectsFile(file, createRedactor([]));
    await Promise.all(['a', 'b', 'c'].map((id) => again.append(record(id))));
    await again.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as RejectRecord).id)).toEqual(['a', 'b', 'c']);
    expect(again.written).toBe(3);
  });

  it('a file that cannot be opened is tried again at the next record, not given up on for the run', async () => {
    const folder = path.join(workspace.path, 'data');
    writeFileSync(folder, 'a file where the data folder should be');
    const rejects = new RejectsFile(path.join(folder, 'rejects.jsonl'), createRedactor([]));
    await expect(rejects.append(record('lost'))).rejects.toMatchObject({ code: 'STORE_OPEN_FAILED' });
    rmSync(folder);
    await rejects.append(record('kept'));
    await rejects.close();
    expect(readFileSync(path.join(folder, 'rejects.jsonl'), 'utf8')).toContain('"id":"kept"');
    expect(rejects.written).toBe(1);
  });

  it('a torn last line left by a crash is cut before the next record, so every line parses', async () => {
    const file = path.join(workspace.path, 'rejects.jsonl');
    writeFileSync(file, `${JSON.stringify(record('whole'))}\n{"id":"torn","time":"2026-12`);
    const rejects = new RejectsFile(file, createRedactor([]));
    await rejects.append(record('next'));
    await rejects.close();
    const ids = readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as RejectRecord).id);
    expect(ids).toEqual(['whole', 'next']);
  });

  it('a key in an error message or a reply is redacted as in the logs', async () => {
    const file = path.join(workspace.path, 'rejects.jsonl');
    const rejects = new RejectsFile(file, createRedactor([KEY]));
    const leaky = record('leak', `401 from together: invalid key ${KEY} (Authorization: Bearer ${KEY})`);
    await rejects.append({ ...leaky, steps: [{ ...leaky.steps[0]!, reply: `my key is ${KEY}` }] });
    await rejects.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(KEY);
    const parsed = JSON.parse(text) as RejectRecord;
    expect(parsed.error.message).toContain('[REDACTED]');
    expect(parsed.steps[0]!.reply).toBe('my key is [REDACTED]');
  });
});
