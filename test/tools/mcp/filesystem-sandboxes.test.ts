import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMcpTools, type McpTools } from '../../../src/tools/mcp/index.js';
import { filesystemServer } from '../../helpers/mcp-servers.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('server-filesystem on a per-conversation copy of a template vault', () => {
  const workspace = makeTempDir('nightshift-mcp-fs-');
  const template = path.join(workspace.path, 'template');
  const sandboxRoot = path.join(workspace.path, 'sandboxes');
  let mcp: McpTools;

  beforeAll(async () => {
    mkdirSync(path.join(template, 'projects'), { recursive: true });
    writeFileSync(path.join(template, 'projects', 'tacos.md'), '# Mexican restaurants\n');
    writeFileSync(path.join(workspace.path, 'secret.txt'), 'outside the sandbox');
    mcp = await openMcpTools({ vault: filesystemServer({ sandboxTemplate: template }) }, { sandboxRoot, maxProcessesPerServer: 3 });
  });
  afterAll(async () => {
    await mcp?.close();
    workspace.cleanup();
  });

  it('offers every listed tool namespaced by the server, with its JSON Schema in both shapes', () => {
    const names = mcp.tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['vault_create_directory', 'vault_write_file', 'vault_read_text_file', 'vault_list_directory']));
    const write = mcp.schemas.find((schema) => schema.function.name === 'vault_write_file');
    expect(write?.function.parameters).toMatchObject({ type: 'object', required: ['path', 'content'] });
    expect(write?.function.parameters).not.toHaveProperty('$schema');
    expect(mcp.toolsBlock.startsWith('<tools>\n{"type": "function", "function": {"name": "vault_')).toBe(true);
    expect(mcp.toolsBlock.split('\n')).toHaveLength(mcp.tools.length + 2);
    expect(mcp.catalogue.parameters('vault_write_file')).toEqual(['path', 'content']);
  });

  it('lists the template, creates a directory, writes and reads a file, all inside the sandbox', async () => {
    const sandbox = await mcp.sandbox('conversation-1');
    const directory = sandbox.directory('vault') as string;
    expect(await sandbox.call('vault_list_directory', { path: '.' })).toMatchObject({ ok: true, content: '[DIR] projects' });
    expect(await sandbox.call('vault_create_directory', { path: 'notes' })).toMatchObject({ ok: true });
    expect(await sandbox.call('vault_write_file', { path: 'notes/ideas.md', content: 'tea shop' })).toMatchObject({ ok: true });
    expect(await sandbox.call('vault_read_text_file', { path: path.join(directory, 'notes/ideas.md') })).toEqual({
      name: 'vault_read_text_file',
      ok: true,
      content: 'tea shop',
    });
    expect(readFileSync(path.join(directory, 'notes/ideas.md'), 'utf8')).toBe('tea shop');
    expect(existsSync(path.join(template, 'notes'))).toBe(false);
    await sandbox.discard();
  });

  it('refuses a call outside the sandbox, with the server\'s reason, and the file stays unread', async () => {
    const sandbox = await mcp.sandbox('conversation-escape');
    const outside = await sandbox.call('vault_read_text_file', { path: path.join(workspace.path, 'secret.txt') });
    expect(outside.ok).toBe(false);
    expect(outside.content).toContain('Access denied');
    expect(outside.content).not.toContain('outside the sandbox');
    const climbing = await sandbox.call('vault_write_file', { path: '../../escaped.md', content: 'x' });
    expect(climbing.ok).toBe(false);
    expect(existsSync(path.join(sandboxRoot, 'escaped.md'))).toBe(false);
    await sandbox.discard();
  });

  it('checks arguments against the schema before calling, and says what is wrong', async () => {
    const sandbox = await mcp.sandbox('conversation-mistakes');
    expect(await sandbox.call('vault_write_file', { path: 'a.md' })).toEqual({
      name: 'vault_write_file',
      ok: false,
      content: 'vault_write_file: content: is required but missing. Expected vault_write_file(path: string, content: string).',
    });
    expect((await sandbox.call('vault_write_file', { path: 3, content: 'x' })).content).toContain('path: expected a string, got the number 3');
    expect((await sandbox.call('vault_delete_everything', {})).content).toContain('There is no tool named "vault_delete_everything"');
    expect((await sandbox.call('vault_list_directory', ['.'])).content).toContain('the arguments must be an object, got a list');
    await sandbox.discard();
  });

  it('keeps two conversations apart: neither sees the other\'s writes', async () => {
    const [first, second] = await Promise.all([mcp.sandbox('isolated-a'), mcp.sandbox('isolated-b')]);
    await first.call('vault_write_file', { path: 'projects/only-a.md', content: 'a' });
    await second.call('vault_write_file', { path: 'projects/only-b.md', content: 'b' });
    expect((await first.call('vault_list_directory', { path: 'projects' })).content.split('\n').sort()).toEqual(['[FILE] only-a.md', '[FILE] tacos.md']);
    expect((await second.call('vault_list_directory', { path: 'projects' })).content.split('\n').sort()).toEqual(['[FILE] only-b.md', '[FILE] tacos.md']);
    const read = await second.call('vault_read_text_file', { path: path.join(first.directory('vault') as string, 'projects/only-a.md') });
    expect(read.ok).toBe(false);
    await Promise.all([first.discard(), second.discard()]);
  });

  it('a sandbox id that could leave the root, or one already open, is refused', async () => {
    await expect(mcp.sandbox('../escape')).rejects.toThrow('A sandbox id must be 1 to 128 letters');
    await expect(mcp.sandbox('.start-vault')).rejects.toThrow('A sandbox id must be');
    const open = await mcp.sandbox('twice');
    await expect(mcp.sandbox('twice')).rejects.toThrow('The sandbox "twice" is already open');
    await open.discard();
    await (await mcp.sandbox('twice')).discard();
  });

  it('discard deletes the copy with its changes; keep leaves it on disk', async () => {
    const dropped = await mcp.sandbox('dropped');
    await dropped.call('vault_write_file', { path: 'draft.md', content: 'gone soon' });
    const droppedDirectory = dropped.directory('vault') as string;
    await dropped.discard();
    expect(existsSync(droppedDirectory)).toBe(false);
    await expect(async () => dropped.call('vault_list_directory', { path: '.' })).rejects.toThrow('already discarded or kept');

    const kept = await mcp.sandbox('kept');
    await kept.call('vault_write_file', { path: 'final.md', content: 'stays' });
    await kept.keep();
    expect(readFileSync(path.join(kept.directory('vault') as string, 'final.md'), 'utf8')).toBe('stays');
  });

  it('runs more conversations than processes at once: the live server processes never exceed the pool', async () => {
    const started: number[] = [];
    const counted = await openMcpTools(
      { vault: filesystemServer({ sandboxTemplate: template, maxProcesses: 2 }) },
      { sandboxRoot: path.join(workspace.path, 'crowd'), onServerStart: (event) => started.push(event.pid as number) },
    );
    let peak = 0;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const watch = setInterval(() => {
      peak = Math.max(peak, started.filter(alive).length);
    }, 10);
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, async (_, index) => {
          const sandbox = await counted.sandbox(`crowd-${index}`);
          await sandbox.call('vault_write_file', { path: 'mine.md', content: `conversation ${index}` });
          const listing = await sandbox.call('vault_list_directory', { path: '.' });
          const read = await sandbox.call('vault_read_text_file', { path: 'mine.md' });
          await sandbox.discard();
          return { listing: listing.content, read: read.content };
        }),
      );
      results.forEach((result, index) => {
        expect(result.read).toBe(`conversation ${index}`);
        expect(result.listing.split('\n').sort()).toEqual(['[DIR] projects', '[FILE] mine.md']);
      });
    } finally {
      clearInterval(watch);
      await counted.close();
    }
    expect(started.length).toBeGreaterThan(2);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    expect(counted.processes()).toEqual([]);
  }, 180_000);
});
