/**
 * `mcpServers`, in the shape Claude Desktop, Cursor and LM Studio (`mcp.json`) use, so a user can
 * paste the block they already have:
 *
 *   "mcpServers": {
 *     "vault": { "command": "npx", "args": ["-y", "some-vault-server", "${sandbox}"], "env": {"TOKEN": "…"} },
 *     "search": { "url": "https://example.org/mcp", "headers": {"Authorization": "Bearer …"} }
 *   }
 *
 * Keys those tools write that mean nothing here (`autoApprove`, `alwaysAllow`, `description`) are
 * accepted and ignored; `disabled: true` leaves the server out. nightshift's own additions are
 * snake_case like the rest of secrets.json: `timeout_ms`, `max_processes`, `sandbox_template`.
 * The result is the normalised entry src/tools/mcp takes (structurally; config does not import it).
 */
import { z } from 'zod';

/**
 * A value's type in words, never a string's content (a misplaced value could be a token). The
 * same rule as secrets-schema's, kept here so the two schemas do not import each other.
 */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${value}\` (${typeof value})`;
  return `a ${typeof value}`;
}

const text = (what: string) => z.string({ error: (issue) => `expected ${what} (a string), got ${describeValue(issue.input)}` });

const positiveInteger = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what} (a whole number greater than 0), got ${describeValue(issue.input)}` })
    .refine((value) => Number.isInteger(value) && value > 0, {
      error: (issue) => `expected ${what} (a whole number greater than 0), got ${describeValue(issue.input)}`,
    });

const textMap = (what: string) =>
  z.record(z.string(), text(`each ${what} value`), {
    error: (issue) => `expected an object of ${what} names to string values, got ${describeValue(issue.input)}`,
  });

const KNOWN_KEYS = [
  'command', 'args', 'env', 'cwd', 'url', 'headers', 'type', 'disabled',
  'timeout_ms', 'max_processes', 'sandbox_template', 'autoApprove', 'alwaysAllow', 'description',
];

const rawEntry = z.strictObject(
  {
    command: text('the command that starts the server').min(1, { error: 'expected a command, got an empty string' }).optional(),
    args: z.array(text('an argument'), { error: (issue) => `expected a list of strings, got ${describeValue(issue.input)}` }).optional(),
    env: textMap('environment variable').optional(),
    cwd: text('a working directory').optional(),
    url: text('the server URL')
      .refine((value) => /^https?:\/\/\S+$/.test(value), { error: 'expected an http:// or https:// URL (a Streamable HTTP endpoint)' })
      .optional(),
    headers: textMap('header').optional(),
    type: z
      .enum(['stdio', 'http', 'streamable-http', 'streamableHttp', 'sse'], {
        error: () => 'expected "stdio" or "http" (Streamable HTTP)',
      })
      .optional(),
    disabled: z.boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` }).optional(),
    timeout_ms: positiveInteger('milliseconds per tool call').optional(),
    max_processes: positiveInteger('processes of this server at once').optional(),
    sandbox_template: text('a directory to copy into each sandbox').min(1).optional(),
    autoApprove: z.unknown().optional(),
    alwaysAllow: z.unknown().optional(),
    description: z.unknown().optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}; expected one of ${KNOWN_KEYS.join(', ')}`
        : `expected a server object like {"command": "…", "args": […]} or {"url": "…"}, got ${describeValue(issue.input)}`,
  },
);

type RawEntry = z.infer<typeof rawEntry>;

/** The shape of src/tools/mcp's `McpServerEntry`, or `undefined` for a disabled server. */
export type NormalisedEntry =
  | {
      transport: 'stdio';
      command: string;
      args: string[];
      env: Record<string, string>;
      cwd?: string;
      timeoutMs?: number;
      maxProcesses?: number;
      sandboxTemplate?: string;
    }
  | { transport: 'http'; url: string; headers: Record<string, string>; timeoutMs?: number };

const STDIO_ONLY = ['command', 'args', 'env', 'cwd', 'max_processes', 'sandbox_template'] as const;

function checkEntry(entry: RawEntry, context: z.RefinementCtx): void {
  const problem = (message: string, key?: string) => context.addIssue({ code: 'custom', message, path: key ? [key] : [] });
  if (entry.type === 'sse') {
    problem('the legacy SSE transport is not supported; give the server\'s Streamable HTTP endpoint with "type": "http"', 'type');
    return;
  }
  if (entry.command === undefined && entry.url === undefined) {
    problem('expected "command" (a server nightshift starts, over stdio) or "url" (a Streamable HTTP server)');
    return;
  }
  if (entry.command !== undefined && entry.url !== undefined) {
    problem('give either "command" (stdio) or "url" (Streamable HTTP), not both', 'url');
    return;
  }
  if (entry.url !== undefined) {
    for (const key of STDIO_ONLY) if (entry[key] !== undefined) problem(`"${key}" applies to stdio servers (with "command"), not to a "url" server`, key);
    if (entry.type === 'stdio') problem('"type": "stdio" needs "command", not "url"', 'type');
  } else if (entry.headers !== undefined) {
    problem('"headers" applies to "url" servers; a stdio server takes secrets in "env"', 'headers');
  } else if (entry.type !== undefined && entry.type !== 'stdio') {
    problem(`"type": "${entry.type}" needs "url", not "command"`, 'type');
  }
}

function normalise(entry: RawEntry): NormalisedEntry | undefined {
  if (entry.disabled === true) return undefined;
  const timeout = entry.timeout_ms === undefined ? {} : { timeoutMs: entry.timeout_ms };
  if (entry.url !== undefined) return { transport: 'http', url: entry.url, headers: entry.headers ?? {}, ...timeout };
  return {
    transport: 'stdio',
    command: entry.command as string,
    args: entry.args ?? [],
    env: entry.env ?? {},
    ...(entry.cwd === undefined ? {} : { cwd: entry.cwd }),
    ...timeout,
    ...(entry.max_processes === undefined ? {} : { maxProcesses: entry.max_processes }),
    ...(entry.sandbox_template === undefined ? {} : { sandboxTemplate: entry.sandbox_template }),
  };
}

const serverEntry = rawEntry.superRefine(checkEntry).transform(normalise);

/** A server's name prefixes its tools, so it must have something to show. */
const serverName = z.string().regex(/[A-Za-z0-9]/, { error: 'a server name needs at least one letter or digit (it prefixes the tool names)' });

export const mcpServersSchema = z
  .record(serverName, serverEntry, {
    error: (issue) => `expected an object keyed by server name, like {"vault": {"command": "…"}}, got ${describeValue(issue.input)}`,
  })
  .transform((servers) =>
    Object.fromEntries(Object.entries(servers).filter((pair): pair is [string, NormalisedEntry] => pair[1] !== undefined)),
  );

/** The `mcp.json` file LM Studio and Claude Desktop keep: other top-level keys are left alone. */
export const mcpConfigFileSchema = z.looseObject({ mcpServers: mcpServersSchema });

export type McpServersConfiguration = z.output<typeof mcpServersSchema>;
