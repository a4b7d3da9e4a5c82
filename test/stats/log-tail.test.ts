import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogTail } from '../../src/stats/log-tail.js';

let directory: string;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-'));
});
afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('readLogTail', () => {
  it('returns the newest warning-or-worse lines, reading only the end of a large file', async () => {
    const file = path.join(directory, 'run.log');
    const lines: string[] = [];
    for (let index = 0; index < 5000; index++) {
      lines.push(JSON.stringify({ level: index % 100 === 0 ? 50 : 30, msg: `line ${index}` }));
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const tail = await readLogTail(file, { maxBytes: 4096, limit: 3 });
    expect(tail.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['line 4900']);
    const wider = await readLogTail(file, { limit: 3 });
    expect(wider.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['line 4700', 'line 4800', 'line 4900']);
  });

  it('gives no lines for a missing file instead of failing', async () => {
    await expect(readLogTail(path.join(directory, 'nope.log'))).resolves.toEqual([]);
  });
});
