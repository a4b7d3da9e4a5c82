import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FollowedFile } from '../../src/dashboard/followed-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('following an NDJSON file as it grows', () => {
  let workspace: { path: string; cleanup: () => void };
  let file: string;
  beforeEach(() => {
    workspace = makeTempDir('nightshift-followed-');
    file = path.join(workspace.path, 'log.ndjson');
  });
  afterEach(() => workspace.cleanup());

  it('a file that does not exist yet gives nothing, then its lines once it appears', async () => {
    const followed = new FollowedFile(file);
    expect(await followed.read()).toEqual({ lines: [], restarted: false, more: false });
    writeFileSync(file, '{"a":1}\n');
    expect((await followed.read()).lines).toEqual(['{"a":1}']);
  });

  it('each read returns only what was appended since the last; a line without its newline waits for it', async () => {
    writeFileSync(file, '{"a":1}\n{"b":');
    const followed = new FollowedFile(file);
    expect((await followed.read()).lines).toEqual(['{"a":1}']);
    appendFileSync(file, '2}\n{"c":3}\n');
    expect((await followed.read()).lines).toEqual(['{"b":2}', '{"c":3}']);
    expect((await followed.read()).lines).toEqual([]);
  });

  it('a character split between two reads arrives whole', async () => {
    writeFileSync(file, '"é"\n"ü"\n');
    // 3 bytes per read cuts "é" (2 bytes) and "ü" across reads.
    const followed = new FollowedFile(file, 3);
    const lines: string[] = [];
    for (let read = await followed.read(); ; read = await followed.read()) {
      lines.push(...read.lines);
      if (!read.more) break;
    }
    expect(lines).toEqual(['"é"', '"ü"']);
  });

  it('a file replaced by another, or cut shorter, is read again from its start and says so', async () => {
    writeFileSync(file, 'one\ntwo\n');
    const followed = new FollowedFile(file);
    await followed.read();
    const replacement = path.join(workspace.path, 'new');
    writeFileSync(replacement, 'three\n');
    renameSync(replacement, file);
    expect(await followed.read()).toEqual({ lines: ['three'], restarted: true, more: false });
    writeFileSync(file, '');
    expect((await followed.read()).restarted).toBe(true);
  });
});
