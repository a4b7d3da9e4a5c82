/**
 * One live connection to one MCP server: a child process over stdio (started with the sandbox
 * directory substituted into its arguments) or a Streamable HTTP endpoint. A connection never
 * changes its sandbox; a dead one reports `closed` and the pool starts a new one.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NightshiftError } from '../../core/errors.js';
import { DetachedStdioTransport } from './detached-stdio-transport.js';
import { SANDBOX_PLACEHOLDER, type McpServerEntry, type StdioServerEntry } from './mcp-server-entry.js';

/** The end of a server's stderr kept for error messages: enough for a stack trace's first lines. */
const STDERR_TAIL_CHARACTERS = 1500;

export interface ServerConnection {
  readonly client: Client;
  /** The child's process id; undefined for an HTTP server. */
  readonly pid: number | undefined;
  /** True once the process exited or the transport closed. */
  readonly closed: boolean;
  /** The last lines the server wrote to stderr, redacted. */
  stderrTail(): string;
  close(): Promise<void>;
}

/** A server that could not be started or reached: the message names the server and the command. */
export class McpServerError extends NightshiftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MCP_SERVER_UNAVAILABLE', message, options);
    this.name = 'McpServerError';
  }
}

export interface ConnectOptions {
  readonly server: string;
  readonly entry: McpServerEntry;
  /** Replaces `${sandbox}`; undefined for a server that is not sandboxed. */
  readonly sandboxDirectory: string | undefined;
  readonly startTimeoutMs: number;
  readonly redact: (text: string) => string;
}

export async function connectServer(options: ConnectOptions): Promise<ServerConnection> {
  const { entry } = options;
  const client = new Client({ name: 'nightshift', version: '1.0.0' });
  let closed = false;
  client.onclose = () => {
    closed = true;
  };
  let stderr = '';
  const transport =
    entry.transport === 'stdio'
      ? stdioTransport(entry, options.sandboxDirectory)
      : new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: { ...entry.headers } } });
  if (transport instanceof DetachedStdioTransport) {
    // Read stderr always: a full pipe would block the server on its next write.
    transport.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARACTERS);
    });
  }
  try {
    await client.connect(transport, { timeout: options.startTimeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new McpServerError(describeStartFailure(options, error, stderr), { cause: error });
  }
  return {
    client,
    pid: transport instanceof DetachedStdioTransport ? transport.pid : undefined,
    get closed() {
      return closed;
    },
    stderrTail: () => options.redact(stderr.trim()),
    close: () => client.close(),
  };
}

function stdioTransport(entry: StdioServerEntry, sandboxDirectory: string | undefined): DetachedStdioTransport {
  const fill = (text: string) => (sandboxDirectory === undefined ? text : text.split(SANDBOX_PLACEHOLDER).join(sandboxDirectory));
  return new DetachedStdioTransport({
    command: entry.command,
    args: entry.args.map(fill),
    env: Object.fromEntries(Object.entries(entry.env).map(([key, value]) => [key, fill(value)])),
    ...(entry.cwd === undefined ? {} : { cwd: fill(entry.cwd) }),
  });
}

/** How the user would recognise the server: the command line, or the URL. Redacted by the caller. */
export function describeServer(server: string, entry: McpServerEntry): string {
  return entry.transport === 'stdio'
    ? `MCP server "${server}" (command: ${[entry.command, ...entry.args].join(' ')})`
    : `MCP server "${server}" (url: ${entry.url})`;
}

function describeStartFailure(options: ConnectOptions, error: unknown, stderr: string): string {
  const { server, entry } = options;
  const reason = error instanceof Error ? error.message : String(error);
  const notFound = (error as { code?: unknown } | undefined)?.code === 'ENOENT';
  const fix =
    entry.transport === 'http'
      ? 'Check that the server is running and the URL and headers are right.'
      : notFound
        ? `"${entry.command}" was not found: give the full path of the program, or install it.`
        : 'Run the same command in a terminal to see why it stops, then fix "command" and "args".';
  const output = stderr.trim().length > 0 ? `\nIts last output:\n${stderr.trim()}` : '';
  return options.redact(`${describeServer(server, entry)} could not be started: ${reason}. ${fix}${output}`);
}
