import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/dashboard/dashboard-data.js';
import { invalidOutputPath } from '../../src/store/invalid-output.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import {
  appendProgressRecord,
  fetchText,
  finishOfflineRun,
  openEventStream,
  progressLines,
  readStatusJson,
  startTestDashboard,
} from './dashboard-fixture.js';

const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length : 0);

describe('the dashboard server on the data directory of a real dry run', () => {
  let workspace: { path: string; cleanup: () => void };
  let finishedRun: string;
  let copies = 0;
  /** A copy of the finished run to change, so each test starts from the daemon's own files. */
  const copyOfRun = () => {
    const copy = path.join(workspace.path, `copy-${++copies}`);
    cpSync(finishedRun, copy, { recursive: true, verbatimSymlinks: true });
    return copy;
  };

  beforeAll(async () => {
    workspace = makeTempDir('nightshift-dashboard-');
    finishedRun = path.join(workspace.path, 'run');
    await finishOfflineRun(finishedRun, 6, workspace.path);
  }, 120_000);
  afterAll(() => workspace.cleanup());

  it("serves a snapshot whose status is status.json's, whose history holds every progress record, and whose counts are the output files' lines", async () => {
    const server = await startTestDashboard(finishedRun);
    try {
      const response = await fetchText(`${server.url}snapshot.json`);
      expect(response.status).toBe(200);
      const snapshot = JSON.parse(response.body) as DashboardSnapshot;
      const status = readStatusJson(finishedRun);
      expect(snapshot.condition).toBe('finished');
      expect(snapshot.status).toEqual(status);
      expect(snapshot.history.map((point) => point.saved)).toEqual(progressLines(finishedRun).map((line) => line['saved']));
      expect(snapshot.history.at(-1)!.saved).toBe(status.saved);
      expect(snapshot.quality.valid).toBe(lineCount(status.outputPath));
      expect(snapshot.quality.valid).toBe(status.saved);
      expect(snapshot.quality.invalid).toBe(lineCount(invalidOutputPath(status.outputPath)));
      expect(snapshot.quality.recent.length).toBe(Math.min(5, status.saved));
      // Newest first: the last line of the output leads.
      const lastLine = JSON.parse(readFileSync(status.outputPath, 'utf8').trim().split('\n').at(-1)!) as { id: string };
      expect(snapshot.quality.recent[0]!.id).toBe(lastLine.id);
    } finally {
      await server.close();
    }
  });

  it('the page and its chart library are served from this machine, with a policy that loads nothing from elsewhere', async () => {
    const server = await startTestDashboard(finishedRun);
    try {
      const page = await fetchText(server.url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<script src="uplot.js"></script>');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      const uplot = await fetchText(`${server.url}uplot.js`);
      expect(uplot.status).toBe(200);
      expect(uplot.body).toContain('uPlot');
      expect((await fetchText(`${server.url}../secrets.json`)).status).toBe(404);
      expect((await fetchText(`${server.url}status.json`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('an open event stream receives the change when a progress record is appended and status.json replaced: the new point only, not the history again', async () => {
    const run = copyOfRun();
    const server = await startTestDashboard(run);
    const stream = openEventStream(`${server.url}events`);
    try {
      const first = await stream.next();
      const saved = first.status!.saved + 7;
      await appendProgressRecord(run, saved);
      const next = await stream.next((snapshot) => snapshot.status?.saved === saved);
      expect(next.history.length).toBe(first.history.length + 1);
      expect(next.history.at(-1)!.saved).toBe(saved);
      expect(next.history.slice(0, -1)).toEqual(first.history);
      expect(stream.updates()).toEqual([{ historyFrom: first.history.length, points: 1 }]);
    } finally {
      stream.close();
      await server.close();
    }
  });

  it('rejects.jsonl, when the daemon writes one, is counted by reason; a torn line is counted as unreadable, not fatal', async () => {
    const run = copyOfRun();
    const reject = (reason: string) =>
      JSON.stringify({ id: reason, time: new Date().toISOString(), pipeline: { name: 'ada', version: '1' }, reason, failedStep: 2, error: { kind: 'server', message: 'x' }, steps: [] });
    writeFileSync(path.join(run, 'rejects.jsonl'), `${reject('provider-failed')}\n${reject('provider-failed')}\n${reject('deadline')}\n{"torn\n`);
    const server = await startTestDashboard(run);
    try {
      const snapshot = JSON.parse((await fetchText(`${server.url}snapshot.json`)).body) as DashboardSnapshot;
      expect(snapshot.quality.rejected).toBe(3);
      expect(snapshot.quality.rejectReasons).toEqual({ 'provider-failed': 2, deadline: 1 });
      expect(snapshot.quality.unreadable).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('on loopback a request naming another host is refused, so a web page cannot read it through DNS rebinding', async () => {
    const server = await startTestDashboard(finishedRun);
    try {
      const refused = await fetchText(`${server.url}snapshot.json`, { host: 'attacker.example' });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('expected a loopback Host header');
      expect((await fetchText(`${server.url}snapshot.json`, { host: `localhost:${server.port}` })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('with a token, every request needs it: in the query (then a cookie carries it), as a bearer, never guessed', async () => {
    const token = 'a-test-token-0123456789';
    const server = await startTestDashboard(finishedRun, token);
    try {
      const without = await fetchText(`${server.url}snapshot.json`);
      expect(without.status).toBe(401);
      expect(without.body).toContain('needs the token');
      expect(without.body).not.toContain(token);
      expect((await fetchText(`${server.url}events?token=wrong-token-0123456789`)).status).toBe(401);
      const page = await fetchText(`${server.url}?token=${token}`);
      expect(page.status).toBe(200);
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      expect((await fetchText(`${server.url}uplot.js`, { cookie })).status).toBe(200);
      expect((await fetchText(`${server.url}snapshot.json`, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
