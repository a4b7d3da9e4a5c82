/**
 * What the dashboard costs on a night's files: a data directory made from a real dry run's lines,
 * repeated to `--conversations` saved lines and `--records` progress records (a night at 30 s is
 * ~1,000), then timed: the first read (everything, once), a refresh when nothing changed (the
 * cost of the once-a-second look, as a share of one core), a refresh after one more progress
 * record and one more conversation, and the bytes a client receives: the first snapshot, then an
 * update. The theoretical limit of the first read is reading the same files and parsing each line
 * as JSON (what any reader must do); the ratio says what the dashboard adds.
 *
 *   npm run build && npx tsx scripts/bench-dashboard.ts [--conversations 20000] [--records 1000]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DashboardData } from '../src/dashboard/dashboard-data.js';

const { values } = parseArgs({ options: { conversations: { type: 'string', default: '20000' }, records: { type: 'string', default: '1000' } } });
const conversations = Number(values.conversations);
const records = Number(values.records);
if (!Number.isInteger(conversations) || conversations < 100 || !Number.isInteger(records) || records < 10) {
  throw new Error(`Expected --conversations ≥ 100 and --records ≥ 10 (whole numbers), got ${values.conversations} and ${values.records}`);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = mkdtempSync(path.join(os.tmpdir(), 'nightshift-bench-dashboard-'));

function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = performance.now();
  return work().then((result) => ({ result, ms: performance.now() - startedAt }));
}

try {
  const source = path.join(workspace, 'source');
  execFileSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'generate', '--offline', '--target', '10', '--data-dir', source, '--progress-interval', '1'], { stdio: 'ignore' });
  const sourceLog = readFileSync(path.join(source, 'logs/latest.log'), 'utf8').split('\n').filter((line) => line !== '');
  const progress = sourceLog.filter((line) => line.includes('"msg":"progress"'));
  const saved = readFileSync(path.join(source, 'trainingData/conversations.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
  const status = JSON.parse(readFileSync(path.join(source, 'status.json'), 'utf8')) as Record<string, unknown>;

  const night = path.join(workspace, 'night');
  const output = path.join(night, 'trainingData/conversations.jsonl');
  const log = path.join(night, 'logs/run-2026-12-01T22-00-00Z.log');
  mkdirSync(path.dirname(output), { recursive: true });
  mkdirSync(path.dirname(log), { recursive: true });
  writeFileSync(output, Array.from({ length: conversations }, (_, index) => saved[index % saved.length]).join('\n') + '\n');
  const startMs = Date.parse('2026-12-01T22:00:00Z');
  const record = (index: number) => {
    const at = new Date(startMs + index * 30_000).toISOString();
    return JSON.stringify({ ...(JSON.parse(progress[index % progress.length]!) as object), time: at, at, saved: index });
  };
  writeFileSync(log, Array.from({ length: records }, (_, index) => record(index)).join('\n') + '\n');
  writeFileSync(path.join(night, 'status.json'), JSON.stringify({ ...status, outputPath: output, logFile: log }));
  const bytes = statSync(output).size + statSync(log).size;

  const limit = await timed(async () => {
    let lines = 0;
    for (const file of [output, log]) for (const line of readFileSync(file, 'utf8').split('\n')) if (line !== '') (JSON.parse(line), lines++);
    return lines;
  });
  const data = new DashboardData({ dataDirectory: night, isProcessAlive: () => true, now: () => Date.parse(String(status['updatedAt'])) });
  const first = await timed(() => data.refresh());
  const firstSnapshot = JSON.stringify(data.snapshot());
  const idleSamples: number[] = [];
  for (let index = 0; index < 50; index++) idleSamples.push((await timed(() => data.refresh())).ms);
  idleSamples.sort((left, right) => left - right);
  const idle = idleSamples[Math.floor(idleSamples.length / 2)]!;
  appendFileSync(log, `${record(records)}\n`);
  appendFileSync(output, `${saved[0]}\n`);
  const before = data.snapshot();
  const change = await timed(() => data.refresh());
  const after = data.snapshot();
  const { history, ...rest } = after;
  const update = JSON.stringify({ ...rest, historyFrom: before.history.length, historyTail: history.slice(before.history.length) });

  const mb = bytes / 1024 / 1024;
  console.log(`data directory: ${conversations.toLocaleString('en-US')} conversations + ${records.toLocaleString('en-US')} progress records, ${mb.toFixed(1)} MB`);
  console.log(`first read: ${first.ms.toFixed(0)} ms (${(mb / (first.ms / 1000)).toFixed(0)} MB/s); limit (read + JSON.parse of ${limit.result.toLocaleString('en-US')} lines): ${limit.ms.toFixed(0)} ms; ratio ${(first.ms / limit.ms).toFixed(2)}× the limit`);
  console.log(`refresh with nothing new: median ${idle.toFixed(2)} ms, ${((idle / 1000) * 100).toFixed(2)} % of one core at one look a second`);
  console.log(`refresh after one record and one conversation: ${change.ms.toFixed(1)} ms`);
  console.log(`a client receives: first snapshot ${(firstSnapshot.length / 1024).toFixed(0)} KiB, then ${(update.length / 1024).toFixed(1)} KiB per update (${((update.length / JSON.stringify(after).length) * 100).toFixed(1)} % of a whole snapshot)`);
  console.log(`heap after: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
