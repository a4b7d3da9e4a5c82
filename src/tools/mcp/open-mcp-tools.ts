/**
 * Tools from any MCP server, for a pipeline: `openMcpTools(servers, options)` connects to every
 * server at start, lists its tools, and returns what the model is offered plus `sandbox(id)`, the
 * per-conversation handle through which calls run.
 *
 * Sandboxes. A stdio server whose `args`, `env` or `cwd` mention `${sandbox}` is stateful: each
 * conversation gets its own directory (a fresh copy of the server's `sandbox_template`), and the
 * server runs with `${sandbox}` replaced by it. `discard()` deletes the directory with every change
 * in it; `keep()` leaves it on disk. Processes come from a bounded pool per server
 * (`max_processes`, default 4), each process bound for life to one sandbox and leased to calls of
 * that sandbox only; a conversation without a process takes the least recently used idle one's
 * place (that one is closed), or waits. So 100 conversations in flight run on at most 4 processes
 * per server, and isolation does not depend on any server's goodwill: a process is never told about
 * another sandbox, so even a server that ignored its allowed directories could only reach its own.
 *
 * Why not re-root one pooled process with MCP Roots (server-filesystem supports them): the server
 * applies new roots asynchronously after a `roots/list_changed` notification and never confirms,
 * so a call sent just after could still act on the previous conversation's directory; and most
 * vault servers take their directory as an argument and know nothing of roots. Starting a process
 * costs a few hundred milliseconds per conversation, small next to the model calls around it
 * (`scripts/bench-mcp-sandboxes.ts` measures it).
 *
 * Servers without `${sandbox}` (and HTTP servers) are shared: one connection for all
 * conversations, started again when it dies.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, NightshiftError } from '../../core/errors.js';
import { createRedactor } from '../../core/redact.js';
import { renderToolsBlock, type ToolCatalogue, type ToolSchema } from '../../format/index.js';
import { callTool, type CallContext } from './call-tool.js';
import { isSandboxed, secretsOf, type McpServers } from './mcp-server-entry.js';
import { createCatalogue, offerTools, toToolSchema, type ListedTool, type McpTool } from './offered-tools.js';
import { connectServer, McpServerError, type ServerConnection } from './server-connection.js';
import { SHARED_KEY, ServerPool } from './server-pool.js';
import { sanitizeName } from './tool-names.js';
import { checkSandboxId, createSandbox, removeSandbox, sandboxPath } from './sandbox-directories.js';
import type { McpToolResult } from './tool-result.js';

export interface McpToolsOptions {
  /** Where sandboxes are created. @default a new directory in the system temp dir, removed by `close()` */
  readonly sandboxRoot?: string;
  /** Deadline of one `tools/call`; a server's `timeout_ms` wins. @default 30000 */
  readonly callTimeoutMs?: number;
  /** Deadline for a server to start and answer `initialize`. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Processes per sandboxed server; a server's `max_processes` wins. @default 4 */
  readonly maxProcessesPerServer?: number;
  /** Longest result text sent back to the model; the rest is cut with a note. @default 20000 */
  readonly maxResultCharacters?: number;
  /** Told of every server process started (a restart after a death included), for the log. */
  readonly onServerStart?: (event: { readonly server: string; readonly pid: number | undefined; readonly restart: boolean }) => void;
}

export interface McpSandbox {
  readonly id: string;
  /** The sandbox directory of a sandboxed server (to put a workspace's files in), else undefined. */
  directory(server: string): string | undefined;
  /** Validates and runs a call by its offered name; every failure is a result the model can read. */
  call(name: string, args: unknown): Promise<McpToolResult>;
  /** Drops the sandbox: its processes are closed and its directories deleted. */
  discard(): Promise<void>;
  /** Ends the sandbox but leaves its directories on disk. */
  keep(): Promise<void>;
}

export interface McpTools {
  readonly tools: readonly McpTool[];
  /** OpenAI function-tool shape: for `metadata.tools` and the exports. */
  readonly schemas: readonly ToolSchema[];
  /** The Hermes `<tools>` block for a system prompt. */
  readonly toolsBlock: string;
  /** For `parseToolCalls(text, { catalogue })`. */
  readonly catalogue: ToolCatalogue;
  sandbox(id: string): Promise<McpSandbox>;
  /** Live server processes, with the sandbox each is bound to (undefined when shared). */
  processes(): readonly { readonly server: string; readonly pid: number | undefined; readonly sandbox: string | undefined }[];
  close(): Promise<void>;
}

export async function openMcpTools(servers: McpServers, options: McpToolsOptions = {}): Promise<McpTools> {
  const redact = createRedactor(secretsOf(servers));
  const ownRoot = options.sandboxRoot === undefined;
  const root = options.sandboxRoot ?? (await mkdtemp(path.join(tmpdir(), 'nightshift-mcp-')));
  const pools = new Map<string, ServerPool>();
  const close = async () => {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
    if (ownRoot) await rm(root, { recursive: true, force: true });
  };
  try {
    for (const [server, entry] of Object.entries(servers)) {
      if (entry.transport === 'stdio' && entry.sandboxTemplate !== undefined) await checkTemplate(server, entry.sandboxTemplate);
      const start = (key: string): Promise<ServerConnection> =>
        connectServer({ server, entry, sandboxDirectory: key === SHARED_KEY ? undefined : key, startTimeoutMs: options.startTimeoutMs ?? 30_000, redact });
      const max = isSandboxed(entry) ? (entry.maxProcesses ?? options.maxProcessesPerServer ?? 4) : 1;
      const onStart = (_key: string, connection: ServerConnection, restart: boolean) => options.onServerStart?.({ server, pid: connection.pid, restart });
      pools.set(server, new ServerPool(start, max, { onStart }));
    }
    // Settled, not raced: a failed server must not leave another's start half done behind close().
    const settled = await Promise.allSettled(Object.entries(servers).map(async ([server, entry]) => ({ server, tools: await listTools(server, entry, root, pools) })));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const listings = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const tools = offerTools(listings);
    const context: CallContext = {
      servers,
      pools,
      byName: new Map(tools.map((tool) => [tool.name, tool])),
      catalogue: createCatalogue(tools),
      redact,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      maxResultCharacters: options.maxResultCharacters ?? 20_000,
    };
    const open = new Set<string>();
    return {
      tools,
      schemas: tools.map(toToolSchema),
      toolsBlock: renderToolsBlock(tools.map(toToolSchema)),
      catalogue: context.catalogue,
      sandbox: async (id) => {
        checkSandboxId(id);
        if (open.has(id)) throw new NightshiftError('MCP_SANDBOX_OPEN', `The sandbox "${id}" is already open; one conversation, one sandbox.`);
        open.add(id);
        try {
          return await openSandbox(id, root, context, () => open.delete(id));
        } catch (error) {
          open.delete(id);
          await removeSandbox(root, id);
          throw error;
        }
      },
      processes: () =>
        [...pools.entries()].flatMap(([server, pool]) =>
          pool.connections().map(({ key, pid }) => ({ server, pid, sandbox: key === SHARED_KEY ? undefined : key })),
        ),
      close,
    };
  } catch (error) {
    await close();
    if (error instanceof McpServerError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

/** A template that is not there would fail every conversation: say so at start. */
async function checkTemplate(server: string, template: string): Promise<void> {
  const found = await stat(template).catch(() => undefined);
  if (found?.isDirectory() !== true) {
    throw new ConfigError(
      `MCP server "${server}": sandbox_template ${template} is ${found === undefined ? 'not there' : 'not a directory'}. ` +
        'Give the directory each conversation\'s sandbox is copied from, or leave the key out for an empty sandbox.',
    );
  }
}

/** A sandboxed server is listed in a scratch sandbox, closed again at once. */
async function listTools(server: string, entry: McpServers[string], root: string, pools: ReadonlyMap<string, ServerPool>): Promise<readonly ListedTool[]> {
  const pool = pools.get(server) as ServerPool;
  const sandboxed = isSandboxed(entry);
  // Its own scratch id per server (ids of conversations cannot start with a dot), removed whole.
  const scratchId = `.start-${sanitizeName(server)}`;
  const scratch = sandboxed ? await createSandbox(sandboxPath(root, scratchId, server), entry.sandboxTemplate) : SHARED_KEY;
  try {
    return await pool.use(scratch, async (connection) => {
      const listed: ListedTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await connection.client.listTools(cursor === undefined ? {} : { cursor });
        listed.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return listed;
    });
  } finally {
    if (sandboxed) {
      await pool.release(scratch);
      await removeSandbox(root, scratchId);
    }
  }
}

async function openSandbox(id: string, root: string, context: CallContext, forget: () => void): Promise<McpSandbox> {
  const directories = new Map<string, string>();
  for (const [server, entry] of Object.entries(context.servers)) {
    if (isSandboxed(entry)) directories.set(server, await createSandbox(sandboxPath(root, id, server), entry.sandboxTemplate));
  }
  const inFlight = new Set<Promise<unknown>>();
  let ended = false;
  const end = async (removeFiles: boolean) => {
    if (ended) return;
    ended = true;
    await Promise.allSettled([...inFlight]);
    await Promise.all([...directories].map(([server, directory]) => context.pools.get(server)?.release(directory)));
    if (removeFiles) await removeSandbox(root, id);
    forget();
  };
  return {
    id,
    directory: (server) => directories.get(server),
    call: (name, args) => {
      if (ended) return Promise.reject(new NightshiftError('MCP_SANDBOX_ENDED', `The sandbox "${id}" was already discarded or kept; open a new one.`));
      const running = callTool(context, directories, name, args);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
      return running;
    },
    discard: () => end(true),
    keep: () => end(false),
  };
}
