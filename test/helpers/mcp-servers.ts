/**
 * The real MCP servers installed from npm, started as `node <bin>` with the bin path resolved from
 * node_modules: no npx, no download, no network.
 */
import { createRequire } from 'node:module';
import type { StdioServerEntry } from '../../src/tools/mcp/index.js';

const require = createRequire(import.meta.url);

export const FILESYSTEM_SERVER_BIN = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
export const MEMORY_SERVER_BIN = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');

/** server-filesystem allowed to touch exactly the conversation's sandbox. */
export function filesystemServer(extra: Partial<StdioServerEntry> = {}): StdioServerEntry {
  return { transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER_BIN, '${sandbox}'], env: {}, ...extra };
}

/** server-memory keeping its knowledge graph in the conversation's sandbox. */
export function memoryServer(extra: Partial<StdioServerEntry> = {}): StdioServerEntry {
  return {
    transport: 'stdio',
    command: process.execPath,
    args: [MEMORY_SERVER_BIN],
    env: { MEMORY_FILE_PATH: '${sandbox}/memory.jsonl' },
    ...extra,
  };
}
