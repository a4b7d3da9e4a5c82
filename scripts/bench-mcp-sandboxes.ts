/**
 * `npx tsx scripts/bench-mcp-sandboxes.ts [conversations] [processes]`: what per-conversation
 * sandboxes cost on the real server-filesystem. Every conversation gets its own directory and, as
 * the pool is smaller than the crowd, its own process start; this prints the start time, a warm
 * call, and conversations per second against the limit the starts set (`processes` starts in
 * parallel, capped by the cores). A measurement, not a test: it asserts nothing.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { openMcpTools } from '../src/tools/mcp/index.js';

const require = createRequire(import.meta.url);
const serverBin = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const conversations = Number(process.argv[2] ?? 20);
  const processes = Number(process.argv[3] ?? 4);
  const workspace = await mkdtemp(path.join(tmpdir(), 'nightshift-bench-mcp-'));
  const template = path.join(workspace, 'template');
  await mkdir(template);
  await writeFile(path.join(template, 'note.md'), '# note\n');
  const starts: number[] = [];
  let startedAt = performance.now();
  const mcp = await openMcpTools(
    { vault: { transport: 'stdio', command: process.execPath, args: [serverBin, '${sandbox}'], env: {}, sandboxTemplate: template, maxProcesses: processes } },
    { sandboxRoot: path.join(workspace, 'sandboxes'), onServerStart: () => starts.push(performance.now()) },
  );
  const openMs = performance.now() - startedAt;

  // Warm calls: one conversation, one process, calls in a row.
  const warm = await mcp.sandbox('warm');
  await warm.call('vault_list_directory', { path: '.' });
  const callTimes: number[] = [];
  for (let index = 0; index < 20; index++) {
    const before = performance.now();
    await warm.call('vault_write_file', { path: `file-${index}.md`, content: 'x' });
    callTimes.push(performance.now() - before);
  }
  await warm.discard();

  startedAt = performance.now();
  const startsBefore = starts.length;
  await Promise.all(
    Array.from({ length: conversations }, async (_, index) => {
      const sandbox = await mcp.sandbox(`crowd-${index}`);
      await sandbox.call('vault_write_file', { path: 'answer.md', content: String(index) });
      await sandbox.discard();
    }),
  );
  const crowdSeconds = (performance.now() - startedAt) / 1000;
  await mcp.close();
  await rm(workspace, { recursive: true, force: true });

  const startMs = openMs; // open = one start + initialize + tools/list
  const limit = Math.min(processes, availableParallelism()) / (startMs / 1000);
  const rate = conversations / crowdSeconds;
  const lines = [
    `server start (spawn, initialize, tools/list): ${startMs.toFixed(0)} ms`,
    `warm call (write_file), median of ${callTimes.length}: ${median(callTimes).toFixed(1)} ms`,
    `${conversations} conversations, one call each, pool of ${processes}: ${crowdSeconds.toFixed(1)} s, ${starts.length - startsBefore} process starts`,
    `throughput: ${rate.toFixed(2)} conversations/s; start-bound limit ${limit.toFixed(2)}/s (min(pool, ${availableParallelism()} cores) / start time); ratio ${(rate / limit).toFixed(2)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
