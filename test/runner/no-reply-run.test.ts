import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readStatusFile } from '../../src/stats/index.js';
import { daemonTracker, readLogRecords, TEST_KEYS } from '../helpers/daemon.js';
import { findClosedPort } from '../helpers/loopback-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('a run where no provider can be reached', () => {
  let workspace: { path: string; cleanup: () => void };
  const daemons = daemonTracker();
  beforeAll(() => {
    workspace = makeTempDir();
  });
  afterEach(() => daemons.killLeftovers());
  afterAll(() => workspace.cleanup());

  it('says why (code, host, URL) while it waits, then stops with exit 3 after --first-reply-timeout instead of waiting all night', async () => {
    const port = await findClosedPort();
    const dataDir = path.join(workspace.path, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ mistral_api_key: TEST_KEYS.mistral, together_api_key: TEST_KEYS.together }));
    const daemon = daemons.spawn(['--target', '10', '--first-reply-timeout', '4', '--progress-interval', '1'], {
      cwd: workspace.path,
      // A typo'd port for one provider, a closed one for the other: nothing ever answers.
      env: { MISTRAL_BASE_URL: `http://127.0.0.1:${port}`, TOGETHER_BASE_URL: `http://127.0.0.1:${port}/v1?key=${TEST_KEYS.together}` },
    });
    const { code } = await daemon.exited;
    const output = daemon.output();

    expect(code, output.slice(-3000)).toBe(3);
    const refused = `connection refused, nothing listens there (ECONNREFUSED) at 127.0.0.1:${port}`;
    const records = readLogRecords(dataDir);
    const cooling = records.find((record) => /^provider mistral cooling down until /.test(String(record.msg)));
    expect(String(cooling?.msg)).toContain(`network error: ${refused}, url http://127.0.0.1:${port}`);
    const allDown = records.find((record) => /^all providers are down/.test(String(record.msg)));
    expect(String(allDown?.msg)).toContain(`mistral: cooling down until`);
    expect(String(allDown?.msg)).toContain(`${refused}, url http://127.0.0.1:${port}/v1`);
    const stop = records.find((record) => String(record.msg).startsWith('stopping: no provider answered'));
    expect(stop).toMatchObject({ level: 50 });
    expect(String(stop?.msg)).toMatch(/^stopping: no provider answered a single request in the first 4 s \(--first-reply-timeout\): mistral: cooling down: .*ECONNREFUSED/);
    expect(output).toContain('no provider answered a single request in the first 4 s');
    const status = await readStatusFile(path.join(dataDir, 'status.json'));
    expect(status).toMatchObject({ state: 'stopped', stopReason: expect.stringMatching(/^no provider answered a single request/) });
    for (const key of Object.values(TEST_KEYS)) expect(output).not.toContain(key);
    expect(JSON.stringify(records)).not.toContain(TEST_KEYS.together);
  });
});
