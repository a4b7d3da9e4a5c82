import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { loadMcpServers } from '../../src/config/load-mcp-servers.js';
import { secretsSchema } from '../../src/config/secrets-schema.js';
import { ConfigError } from '../../src/core/errors.js';
import type { McpServers } from '../../src/tools/mcp/index.js';
import { ADA_ROLES } from '../../src/pipelines/ada/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ADA = { pipeline: 'ada', roles: ADA_ROLES };

describe('mcpServers in secrets.json and in an mcp.json given by --mcp-config', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
    mkdirSync(path.join(workspace.path, 'data'));
  });
  afterEach(() => workspace.cleanup());
  const write = (name: string, text: string) => writeFileSync(path.join(workspace.path, name), text);
  const problem = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  const load = (mcpConfigPath?: string, fromSecrets?: Parameters<typeof loadMcpServers>[0]['fromSecrets']) =>
    loadMcpServers({ cwd: workspace.path, secretsDisplayPath: 'data/secrets.json', ...(mcpConfigPath ? { mcpConfigPath } : {}), ...(fromSecrets ? { fromSecrets } : {}) });

  it('an mcp.json as LM Studio and Claude Desktop write it is read as is, with its secrets listed for redaction', () => {
    write(
      'mcp.json',
      JSON.stringify({
        mcpServers: {
          vault: { command: 'npx', args: ['-y', 'vault-server', '${sandbox}'], env: { VAULT_TOKEN: 'vault-secret-1' }, autoApprove: [], sandbox_template: 'templates/vault' },
          search: { url: 'https://search.example/mcp', headers: { Authorization: 'Bearer search-secret-1' }, type: 'http', timeout_ms: 5000 },
          old: { command: 'old-server', disabled: true },
        },
        globalShortcut: 'Ctrl+M',
      }),
    );
    const settings = load('mcp.json');
    const servers: McpServers = settings.servers;
    expect(servers).toEqual({
      vault: {
        transport: 'stdio',
        command: 'npx',
        args: ['-y', 'vault-server', '${sandbox}'],
        env: { VAULT_TOKEN: 'vault-secret-1' },
        sandboxTemplate: path.join(workspace.path, 'templates/vault'),
      },
      search: { transport: 'http', url: 'https://search.example/mcp', headers: { Authorization: 'Bearer search-secret-1' }, timeoutMs: 5000 },
    });
    expect(settings.secrets).toEqual(['vault-secret-1', 'Bearer search-secret-1']);
  });

  it('problems in an mcp.json name the file, line, column and key, and never echo a value', () => {
    write(
      'mcp.json',
      [
        '{',
        '  "mcpServers": {',
        '    "vault": { "command": "node", "arg": ["server.js"] },',
        '    "search": { "url": "ftp://search.example", "headers": { "Authorization": 42 } },',
        '    "both": { "command": "x", "url": "http://127.0.0.1:1/mcp" },',
        '    "neither": { "env": { "TOKEN": "hidden-secret-1" } },',
        '    "legacy": { "url": "http://127.0.0.1:1/sse", "type": "sse" }',
        '  }',
        '}',
      ].join('\n'),
    );
    const message = problem(() => load('mcp.json'));
    expect(message).toContain('mcp.json has problems:');
    expect(message).toContain('mcp.json:3:35: mcpServers.vault: unknown key "arg"; expected one of command, args, env');
    expect(message).toContain('mcp.json:4:24: mcpServers.search.url: expected an http:// or https:// URL');
    expect(message).toContain('mcp.json:4:78: mcpServers.search.headers.Authorization: expected each header value (a string), got `42` (number)');
    expect(message).toContain('mcp.json:5:38: mcpServers.both.url: give either "command" (stdio) or "url" (Streamable HTTP), not both');
    expect(message).toContain('mcp.json:6:16: mcpServers.neither: expected "command" (a server nightshift starts, over stdio) or "url"');
    expect(message).toContain('mcp.json:7:58: mcpServers.legacy.type: the legacy SSE transport is not supported');
    expect(message).not.toContain('hidden-secret-1');
  });

  it('a missing file, broken JSON, or a file without mcpServers says what an mcp.json looks like', () => {
    expect(problem(() => load('nowhere.json'))).toContain('nowhere.json (from --mcp-config) does not exist');
    write('broken.json', '{\n  "mcpServers": {,\n}');
    expect(problem(() => load('broken.json'))).toMatch(/^broken\.json:2:18: not valid JSON: .*\nAn MCP configuration looks like \{"mcpServers"/);
    write('empty.json', '{}');
    expect(problem(() => load('empty.json'))).toContain('empty.json: mcpServers: expected an object keyed by server name');
  });

  it('the same server name in secrets.json and in --mcp-config is refused', () => {
    write('mcp.json', JSON.stringify({ mcpServers: { vault: { command: 'a' } } }));
    const fromSecrets = secretsSchema.parse({ mcpServers: { vault: { command: 'b' }, memory: { command: 'c' } } }).mcpServers;
    expect(problem(() => load('mcp.json', fromSecrets))).toContain('MCP server "vault" is configured both in data/secrets.json and in mcp.json (--mcp-config)');
  });

  it('secrets.json takes mcpServers as a known top-level key, checked with the rest of the file', () => {
    write('data/secrets.json', JSON.stringify({ mistral_api_key: 'm-key-123456', mcpServers: { memory: { command: 'node', args: ['memory.js'] } } }, null, 2));
    expect(loadConfiguration({ cwd: workspace.path, env: {}, roles: ADA }).warnings).toEqual([]);
    write('data/secrets.json', '{\n  "mistral_api_key": "m-key-123456",\n  "mcpServers": { "memory": { "command": "" } }\n}\n');
    expect(problem(() => loadConfiguration({ cwd: workspace.path, env: {}, roles: ADA }))).toContain(
      'data/secrets.json:3:42: mcpServers.memory.command: expected a command, got an empty string',
    );
  });
});
