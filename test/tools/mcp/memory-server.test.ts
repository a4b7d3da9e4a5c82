import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMcpTools, type McpTools } from '../../../src/tools/mcp/index.js';
import { memoryServer } from '../../helpers/mcp-servers.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('server-memory keeping each conversation\'s knowledge graph in its sandbox', () => {
  const workspace = makeTempDir('nightshift-mcp-memory-');
  let mcp: McpTools;

  beforeAll(async () => {
    mcp = await openMcpTools({ memory: memoryServer() }, { sandboxRoot: workspace.path });
  });
  afterAll(async () => {
    await mcp?.close();
    workspace.cleanup();
  });

  it('creates entities and reads them back from the graph, in the sandbox\'s own file', async () => {
    expect(mcp.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['memory_create_entities', 'memory_read_graph']));
    const sandbox = await mcp.sandbox('memory-1');
    const created = await sandbox.call('memory_create_entities', {
      entities: [{ name: 'Ada', entityType: 'assistant', observations: ['likes tea'] }],
    });
    expect(created.ok).toBe(true);
    const graph = await sandbox.call('memory_read_graph', {});
    expect(graph.ok).toBe(true);
    expect(JSON.parse(graph.content)).toMatchObject({ entities: [{ name: 'Ada', entityType: 'assistant', observations: ['likes tea'] }] });
    const file = path.join(sandbox.directory('memory') as string, 'memory.jsonl');
    expect(readFileSync(file, 'utf8')).toContain('likes tea');

    const other = await mcp.sandbox('memory-2');
    expect(JSON.parse((await other.call('memory_read_graph', {})).content)).toMatchObject({ entities: [] });
    await Promise.all([sandbox.discard(), other.discard()]);
    expect(existsSync(file)).toBe(false);
  });

  it('a nested argument of the wrong shape is refused before the server sees it', async () => {
    const sandbox = await mcp.sandbox('memory-mistake');
    const result = await sandbox.call('memory_create_entities', { entities: [{ name: 'Ada', observations: 'likes tea' }] });
    expect(result.ok).toBe(false);
    expect(result.content).toContain('entities[0].entityType: is required but missing');
    expect(result.content).toContain('entities[0].observations: expected an array, got the text "likes tea"');
    await sandbox.discard();
  });
});
