import { readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { DetachedStdioTransport } from '../../../src/tools/mcp/detached-stdio-transport.js';
import { MEMORY_SERVER_BIN } from '../../helpers/mcp-servers.js';
import { processGroupOf } from '../../helpers/npm-generate.js';

/** Live processes of a process group, from /proc. */
function membersOf(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (processGroupOf(Number(entry)) === group) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

async function connect(command: string, args: string[]) {
  const transport = new DetachedStdioTransport({ command, args, env: { MEMORY_FILE_PATH: '/dev/null/none.jsonl' } });
  const client = new Client({ name: 'nightshift-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, pid: transport.pid! };
}

describe('an MCP stdio server in a process group of its own', () => {
  it('leads its own group, apart from the daemon, so a terminal Ctrl+C to the daemon\'s group misses it', async () => {
    const { client, pid } = await connect(process.execPath, [MEMORY_SERVER_BIN]);
    try {
      expect(processGroupOf(pid)).toBe(pid);
      expect(processGroupOf(pid)).not.toBe(processGroupOf(process.pid));
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('read_graph');
    } finally {
      await client.close();
    }
  });

  it('close ends the server and whatever it started in its group', async () => {
    // A wrapper that leaves a helper behind, as an `npx` or shell wrapper may.
    const { client, pid } = await connect('/bin/sh', ['-c', `sleep 300 & exec "${process.execPath}" "${MEMORY_SERVER_BIN}"`]);
    const deadline = Date.now() + 5_000;
    while (membersOf(pid).length < 2 && Date.now() < deadline) await delay(20);
    expect(membersOf(pid).length).toBe(2);
    await client.close();
    const until = Date.now() + 5_000;
    while (membersOf(pid).length > 0 && Date.now() < until) await delay(20);
    expect(membersOf(pid)).toEqual([]);
  });
});
