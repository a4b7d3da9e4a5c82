import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { MEMORY_SERVER_BIN } from '../../helpers/mcp-servers.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const readJsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const toolNames = (tools: unknown) => (tools as { function: { name: string } }[]).map((tool) => tool.function.name);

describe('an offline Ada run with --mcp-config', () => {
  const workspace = makeTempDir('nightshift-ada-mcp-run-');
  afterAll(() => workspace.cleanup());

  it('offers the server tools beside her own in every prompt, and the export declares them all', async () => {
    const config = path.join(workspace.path, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: [MEMORY_SERVER_BIN], env: { MEMORY_FILE_PATH: '${sandbox}/memory.jsonl' } } } }));
    const dataDir = path.join(workspace.path, 'data');
    const generate = await runCli(['generate', '--offline', '--target', '2', '--data-dir', dataDir, '--mcp-config', config], { cwd: workspace.path, timeoutMs: 120_000 });
    expect(generate.code, generate.stderr.slice(-2000)).toBe(0);
    const output = path.join(dataDir, 'trainingData', 'conversations.jsonl');
    const lines = readJsonLines(output);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const names = toolNames((line.metadata as { tools: unknown }).tools);
      expect(names.slice(0, 6)).toEqual(['add_memory', 'recall_memories', 'delete_memory', 'add_diary', 'recall_diary', 'delete_diary']);
      expect(names).toEqual(expect.arrayContaining(['memory_create_entities', 'memory_read_graph', 'memory_search_nodes']));
      const system = (line.conversations as { role: string; content: string }[])[0]!;
      expect(system.content).toMatch(/## More tools[\s\S]*<tools>[\s\S]*memory_search_nodes[\s\S]*<\/tools>/);
    }

    const exported = path.join(workspace.path, 'train.jsonl');
    const exportRun = await runCli(['export', '--format', 'openai', '--input', output, '--output', exported, '--include-dry-run'], { cwd: workspace.path });
    expect(exportRun.code, exportRun.stderr).toBe(0);
    for (const row of readJsonLines(exported)) expect(toolNames(row.tools)).toEqual(expect.arrayContaining(['add_memory', 'memory_create_entities']));
  }, 150_000);
});
