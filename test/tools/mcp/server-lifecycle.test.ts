import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { openMcpTools } from '../../../src/tools/mcp/index.js';
import { filesystemServer, memoryServer } from '../../helpers/mcp-servers.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

async function configErrorOf(attempt: Promise<unknown>): Promise<Error> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as Error;
}

async function killed(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`process ${pid} did not end`);
}

describe('server processes that die, and servers that cannot start', () => {
  const workspace = makeTempDir('nightshift-mcp-life-');
  afterAll(() => workspace.cleanup());

  it('a sandboxed server killed between calls is started again for the next call, on the same sandbox', async () => {
    const restarts: boolean[] = [];
    const mcp = await openMcpTools({ vault: filesystemServer() }, { sandboxRoot: path.join(workspace.path, 'a'), onServerStart: (event) => restarts.push(event.restart) });
    try {
      const sandbox = await mcp.sandbox('survivor');
      expect((await sandbox.call('vault_write_file', { path: 'before.md', content: 'one' })).ok).toBe(true);
      const [first] = mcp.processes();
      expect(first?.sandbox).toBe(sandbox.directory('vault'));
      await killed(first?.pid as number);
      const after = await sandbox.call('vault_read_text_file', { path: 'before.md' });
      expect(after).toEqual({ name: 'vault_read_text_file', ok: true, content: 'one' });
      expect(mcp.processes()[0]?.pid).not.toBe(first?.pid);
      expect(restarts.at(-1)).toBe(true);
      await sandbox.discard();
    } finally {
      await mcp.close();
    }
  });

  it('a shared server killed between calls is started again too', async () => {
    const graphFile = path.join(workspace.path, 'shared-memory.jsonl');
    const mcp = await openMcpTools({ memory: memoryServer({ env: { MEMORY_FILE_PATH: graphFile } }) });
    try {
      const sandbox = await mcp.sandbox('shared');
      await sandbox.call('memory_create_entities', { entities: [{ name: 'Tea', entityType: 'drink', observations: [] }] });
      const [server] = mcp.processes();
      expect(server?.sandbox).toBeUndefined();
      await killed(server?.pid as number);
      const graph = await sandbox.call('memory_read_graph', {});
      expect(graph.ok).toBe(true);
      expect(graph.content).toContain('"Tea"');
      await sandbox.discard();
    } finally {
      await mcp.close();
    }
  });

  it('a command that does not exist is a configuration error naming the server and the command', async () => {
    const error = await configErrorOf(
      openMcpTools({ vault: { transport: 'stdio', command: 'no-such-mcp-server-here', args: ['--vault', '${sandbox}'], env: { VAULT_TOKEN: 'vault-secret-123456' } } }),
    );
    expect(error.message).toContain('MCP server "vault" (command: no-such-mcp-server-here --vault ${sandbox}) could not be started');
    expect(error.message).toContain('"no-such-mcp-server-here" was not found');
    expect(error.message).not.toContain('vault-secret-123456');
  });

  it('a server that exits at start is a configuration error with its own last words, secrets redacted', async () => {
    const script = "console.error('cannot open vault with token ' + process.env.VAULT_TOKEN); process.exit(3)";
    const error = await configErrorOf(
      openMcpTools({ broken: { transport: 'stdio', command: process.execPath, args: ['-e', script], env: { VAULT_TOKEN: 'vault-secret-123456' } } }),
    );
    expect(error.message).toContain('MCP server "broken" (command:');
    expect(error.message).toContain('Run the same command in a terminal');
    expect(error.message).toContain('cannot open vault with token [REDACTED]');
    expect(error.message).not.toContain('vault-secret-123456');
  });

  it('a sandbox template that is not there is a configuration error at start', async () => {
    const error = await configErrorOf(openMcpTools({ vault: filesystemServer({ sandboxTemplate: path.join(workspace.path, 'no-template') }) }));
    expect(error.message).toContain('MCP server "vault": sandbox_template');
    expect(error.message).toContain('no-template is not there');
  });

  it('a failed start closes the servers already started and leaves no sandbox behind', async () => {
    const root = path.join(workspace.path, 'partial');
    await configErrorOf(
      openMcpTools(
        { vault: filesystemServer(), broken: { transport: 'stdio', command: process.execPath, args: ['-e', 'process.exit(1)'], env: {} } },
        { sandboxRoot: root },
      ),
    );
    expect(existsSync(path.join(root, '.start-vault'))).toBe(false);
  });

  /** A real stdio MCP server with a tool that answers after 10 s and one that answers at once. */
  function writeSlowServer(): string {
    const require = createRequire(import.meta.url);
    const sdk = (subpath: string) => pathToFileURL(require.resolve(`@modelcontextprotocol/sdk/${subpath}`)).href;
    const file = path.join(workspace.path, 'slow.mjs');
    writeFileSync(
      file,
      [
        `import { McpServer } from '${sdk('server/mcp.js')}';`,
        `import { StdioServerTransport } from '${sdk('server/stdio.js')}';`,
        "const server = new McpServer({ name: 'slow', version: '1.0.0' });",
        "server.registerTool('wait', { description: 'Answers after 10 s.' }, () => new Promise((resolve) => setTimeout(() => resolve({ content: [] }), 10000)));",
        "server.registerTool('ping', { description: 'Answers at once.' }, () => ({ content: [{ type: 'text', text: 'pong' }] }));",
        'await server.connect(new StdioServerTransport());',
      ].join('\n'),
    );
    return file;
  }

  it('a call slower than the deadline comes back as an unavailable result the model can read', async () => {
    const mcp = await openMcpTools({ slow: { transport: 'stdio', command: process.execPath, args: [writeSlowServer()], env: {}, timeoutMs: 200 } });
    try {
      const sandbox = await mcp.sandbox('impatient');
      const result = await sandbox.call('slow_wait', {});
      expect(result).toMatchObject({ ok: false, unavailable: true });
      expect(result.content).toContain('did not answer within 200 ms');
      expect(await sandbox.call('slow_ping', {})).toMatchObject({ ok: true, content: 'pong' });
      await sandbox.discard();
    } finally {
      await mcp.close();
    }
  });

  it('a server killed during a call fails that call as unavailable, and the next call runs on a new process', async () => {
    const mcp = await openMcpTools({ slow: { transport: 'stdio', command: process.execPath, args: [writeSlowServer()], env: {} } });
    try {
      const sandbox = await mcp.sandbox('interrupted');
      const pending = sandbox.call('slow_wait', {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      await killed(mcp.processes()[0]?.pid as number);
      const result = await pending;
      expect(result).toMatchObject({ ok: false, unavailable: true });
      expect(result.content).toContain('stopped during the call; it is started again for the next call');
      expect(await sandbox.call('slow_ping', {})).toMatchObject({ ok: true, content: 'pong' });
      await sandbox.discard();
    } finally {
      await mcp.close();
    }
  });
});
