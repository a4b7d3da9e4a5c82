import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DashboardData, type DashboardSnapshot } from '../../src/dashboard/dashboard-data.js';
import { startDashboardServer, type DashboardServer } from '../../src/dashboard/dashboard-server.js';
import { loadPageAssets } from '../../src/dashboard/page-assets.js';
import { statusFilePath, writeStatusFile } from '../../src/stats/status-file.js';
import type { RunStatus } from '../../src/stats/status-schema.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';

/** A real dry run of the compiled daemon (its built-in emulator over real HTTP), one progress record a second. */
export function spawnOfflineRun(dataDir: string, target: number, cwd: string): DaemonProcess {
  return spawnDaemon(['--offline', '--target', String(target), '--data-dir', dataDir, '--progress-interval', '1'], { cwd });
}

/** Runs a dry run to its end and fails loudly if it did not finish. */
export async function finishOfflineRun(dataDir: string, target: number, cwd: string): Promise<void> {
  const daemon = spawnOfflineRun(dataDir, target, cwd);
  const { code } = await daemon.exited;
  if (code !== 0) throw new Error(`the dry run exited with ${code}:\n${daemon.output().slice(-3000)}`);
}

/** The dashboard server in this process, polling fast so tests wait little. */
export async function startTestDashboard(dataDirectory: string, token?: string): Promise<DashboardServer> {
  return startDashboardServer({
    data: new DashboardData({ dataDirectory }),
    assets: loadPageAssets(),
    access: { token, loopbackOnly: token === undefined },
    port: 0,
    pollIntervalMs: 100,
  });
}

export function readStatusJson(dataDir: string): RunStatus {
  return JSON.parse(readFileSync(statusFilePath(dataDir), 'utf8')) as RunStatus;
}

export function runLogFiles(dataDir: string): string[] {
  return readdirSync(path.join(dataDir, 'logs'))
    .filter((name) => /^run-.*\.log$/.test(name))
    .sort()
    .map((name) => path.join(dataDir, 'logs', name));
}

export function progressLines(dataDir: string): Record<string, unknown>[] {
  return runLogFiles(dataDir)
    .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.includes('"msg":"progress"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * What the daemon does at a progress record, done by hand on a finished run: one more progress
 * line in its last log and the status file replaced, with `saved` set to the given number.
 */
export async function appendProgressRecord(dataDir: string, saved: number): Promise<void> {
  const last = progressLines(dataDir).at(-1)!;
  const at = new Date().toISOString();
  appendFileSync(runLogFiles(dataDir).at(-1)!, `${JSON.stringify({ ...last, time: at, at, saved })}\n`);
  await writeStatusFile(statusFilePath(dataDir), { ...readStatusJson(dataDir), at, updatedAt: at, saved });
}

export function fetchText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      })
      .on('error', reject);
  });
}

type DashboardUpdate = Omit<DashboardSnapshot, 'history'> & { historyFrom: number; historyTail: DashboardSnapshot['history'] };

/** An open `/events` stream, updates applied: `next` resolves with the next snapshot for which `predicate` holds. */
export function openEventStream(url: string): {
  next(predicate?: (snapshot: DashboardSnapshot) => boolean): Promise<DashboardSnapshot>;
  /** The `update` events received so far: where their points went and how many. */
  updates(): Array<{ historyFrom: number; points: number }>;
  close(): void;
} {
  const snapshots: DashboardSnapshot[] = [];
  const updates: Array<{ historyFrom: number; points: number }> = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  const request = http.get(url, (response) => {
    response.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data !== undefined && block.includes('event: snapshot')) snapshots.push(JSON.parse(data.slice(6)) as DashboardSnapshot);
        if (data !== undefined && block.includes('event: update')) {
          // As the page does: the new points go after the history already held.
          const { historyFrom, historyTail, ...rest } = JSON.parse(data.slice(6)) as DashboardUpdate;
          const before = snapshots.at(-1)!.history;
          if (historyFrom !== before.length) throw new Error(`an update for a history of ${historyFrom} points, held ${before.length}`);
          snapshots.push({ ...rest, history: [...before, ...historyTail] });
          updates.push({ historyFrom, points: historyTail.length });
        }
        end = buffer.indexOf('\n\n');
      }
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  request.on('error', () => undefined);
  let read = 0;
  return {
    async next(predicate = () => true) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        while (read < snapshots.length) {
          const snapshot = snapshots[read++]!;
          if (predicate(snapshot)) return snapshot;
        }
        if (Date.now() > deadline) throw new Error(`no snapshot as expected within 20 s; the last: ${JSON.stringify(snapshots.at(-1))?.slice(0, 500)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    updates: () => updates,
    close: () => request.destroy(),
  };
}
