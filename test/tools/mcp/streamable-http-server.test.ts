import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../../src/core/errors.js';
import { openMcpTools, type McpTools } from '../../../src/tools/mcp/index.js';
import { serveOnLoopback, type LoopbackServer } from '../../helpers/loopback-server.js';

const TOKEN = 'mcp-token-0123456789';

/** A real MCP server built with the SDK's server classes, stateless: one server per request. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool(
    'shout',
    { description: 'Repeat the text in capitals.', inputSchema: { text: z.string(), times: z.number().int().optional() } },
    async ({ text, times }) => ({ content: [{ type: 'text', text: text.toUpperCase().repeat(times ?? 1) }] }),
  );
  server.registerTool('refuse', { description: 'Always fails.', inputSchema: {} }, async () => ({
    content: [{ type: 'text', text: 'No notebook is open.' }],
    isError: true,
  }));
  return server;
}

describe('a Streamable HTTP server on 127.0.0.1, with a bearer token in its headers', () => {
  let http: LoopbackServer;
  let mcp: McpTools;
  const seenTokens: (string | undefined)[] = [];

  beforeAll(async () => {
    http = await serveOnLoopback(async (request, response) => {
      seenTokens.push(request.headers.authorization);
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error": "bad token"}');
        return;
      }
      const server = buildServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      response.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(request, response);
    });
    mcp = await openMcpTools({ notes: { transport: 'http', url: `${http.url}/mcp`, headers: { Authorization: `Bearer ${TOKEN}` } } });
  });
  afterAll(async () => {
    await mcp?.close();
    await http?.close();
  });

  it('lists the tools, calls one with its headers, and returns the text', async () => {
    expect(mcp.tools.map((tool) => tool.name)).toEqual(['notes_shout', 'notes_refuse']);
    const sandbox = await mcp.sandbox('http-1');
    expect(sandbox.directory('notes')).toBeUndefined();
    expect(await sandbox.call('notes_shout', { text: 'hi', times: 2 })).toEqual({ name: 'notes_shout', ok: true, content: 'HIHI' });
    expect(seenTokens.every((token) => token === `Bearer ${TOKEN}`)).toBe(true);
    await sandbox.discard();
  });

  it('a tool that reports isError comes back as a failed result with its words', async () => {
    const sandbox = await mcp.sandbox('http-2');
    expect(await sandbox.call('notes_refuse', {})).toEqual({ name: 'notes_refuse', ok: false, content: 'No notebook is open.' });
    expect((await sandbox.call('notes_shout', { text: 'hi', times: 1.5 })).content).toContain('times: expected a whole number, got the number 1.5');
    await sandbox.discard();
  });

  it('a server that refuses the token is a configuration error naming the server, without the token', async () => {
    const wrong = 'wrong-token-9876543210';
    const attempt = openMcpTools({ notes: { transport: 'http', url: `${http.url}/mcp`, headers: { Authorization: `Bearer ${wrong}` } } });
    const error = await attempt.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('MCP server "notes" (url: http://127.0.0.1:');
    expect((error as Error).message).not.toContain(wrong);
  });
});
