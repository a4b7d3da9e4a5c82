/**
 * One configured MCP server as this module takes it: already validated (src/config turns the
 * `mcpServers` JSON into these), with defaults still unapplied so a caller can tell "unset".
 * Declared here rather than imported from src/config because both are leaves (DESIGN.md).
 */

/** The text `${sandbox}` in `args`, `env` values or `cwd` stands for the conversation's sandbox directory. */
export const SANDBOX_PLACEHOLDER = '${sandbox}';

export interface StdioServerEntry {
  readonly transport: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the SDK's safe default environment (PATH, HOME, …); values may be secrets. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Per-call deadline; overrides the option of `openMcpTools`. */
  readonly timeoutMs?: number;
  /** Processes this server may run at once when sandboxed. */
  readonly maxProcesses?: number;
  /** Directory copied into each conversation's sandbox; empty sandbox when absent. */
  readonly sandboxTemplate?: string;
}

export interface HttpServerEntry {
  readonly transport: 'http';
  /** A Streamable HTTP endpoint. */
  readonly url: string;
  /** Sent with every request; values may be secrets (`Authorization: Bearer …`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export type McpServerEntry = StdioServerEntry | HttpServerEntry;

/** Keyed by the name the user gave the server; that name prefixes its tools. */
export type McpServers = Readonly<Record<string, McpServerEntry>>;

/** Whether each conversation needs its own process of this server. */
export function isSandboxed(entry: McpServerEntry): entry is StdioServerEntry {
  if (entry.transport !== 'stdio') return false;
  const texts = [...entry.args, ...Object.values(entry.env), entry.cwd ?? ''];
  return texts.some((text) => text.includes(SANDBOX_PLACEHOLDER));
}

/** Every value a log line or an error must never show: environment values and header values. */
export function secretsOf(servers: McpServers): readonly string[] {
  return Object.values(servers).flatMap((entry) =>
    entry.transport === 'stdio' ? Object.values(entry.env) : Object.values(entry.headers),
  );
}
