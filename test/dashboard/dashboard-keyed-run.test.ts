import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/dashboard/dashboard-data.js';
import { prepareDaemonData, readLogRecords, TEST_KEYS } from '../helpers/daemon.js';
import { daemonSuite } from '../helpers/daemon-suite.js';
import { fetchText, openEventStream, startTestDashboard } from './dashboard-fixture.js';

describe('the dashboard on a run with keys, against the emulator over real HTTP', () => {
  const suite = daemonSuite({ seed: 11, defaults: { latency: { medianMs: 15, sigma: 0.3 } } });

  it("shows the log's warnings newest first, and no API key in anything it serves", async () => {
    const dataDir = path.join(suite.workspace, 'keyed');
    // Server errors and 429s are retried quietly; a rejected key disables its provider with a warning.
    const faults = { rate500: 0.15, rate429: 0.15 };
    const env = prepareDaemonData(dataDir, suite.emulator, {
      mistral: { requestsPerSecond: 20, emulator: { faults } },
      together: { requestsPerSecond: 20, emulator: { faults } },
      huggingface: { requestsPerSecond: 20, emulator: { authFailure: true } },
    });
    const daemon = suite.spawn(['--target', '4', '--data-dir', dataDir, '--progress-interval', '1'], { cwd: suite.workspace, env });
    expect((await daemon.exited).code, daemon.output().slice(-2000)).toBe(0);

    const warnings = readLogRecords(dataDir).filter((record) => (record['level'] as number) >= 40);
    expect(warnings.length).toBeGreaterThan(0);
    const server = await startTestDashboard(dataDir);
    const stream = openEventStream(`${server.url}events`);
    try {
      const snapshotText = (await fetchText(`${server.url}snapshot.json`)).body;
      const snapshot = JSON.parse(snapshotText) as DashboardSnapshot;
      expect(snapshot.events.map((event) => event.message)).toEqual(warnings.map((record) => record['msg']).reverse());
      expect(snapshot.status!.providers['huggingface']!.state).toMatchObject({ status: 'disabled', reason: expect.any(String) });
      const times = snapshot.events.map((event) => Date.parse(event.time));
      expect(times).toEqual([...times].sort((left, right) => right - left));
      const streamed = JSON.stringify(await stream.next());
      const page = (await fetchText(server.url)).body;
      for (const key of Object.values(TEST_KEYS)) {
        for (const text of [snapshotText, streamed, page]) {
          expect(text).not.toContain(key);
          expect(text).not.toContain(key.slice(-10));
        }
      }
    } finally {
      stream.close();
      await server.close();
    }
  }, 120_000);
});
