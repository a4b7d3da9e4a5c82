/**
 * The MCP servers of a run: the `mcpServers` key of secrets.json (already validated with the rest
 * of that file) and the file `--mcp-config FILE` names (an `mcp.json` as LM Studio or Claude Desktop
 * keep it). Both may be given; a name in both is an error, since silently preferring one would run
 * a server the user did not mean. Relative paths (`cwd`, `sandbox_template`) are resolved against
 * the working directory, as every other path flag is.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { describeJsonError } from './json-location.js';
import { mcpConfigFileSchema, type McpServersConfiguration, type NormalisedEntry } from './mcp-servers-schema.js';
import { schemaProblems } from './read-secrets-file.js';

export interface McpServersInput {
  /** `mcpServers` from secrets.json, as its schema returned it. */
  readonly fromSecrets?: McpServersConfiguration;
  /** How secrets.json is named in messages. */
  readonly secretsDisplayPath: string;
  /** `--mcp-config FILE`, as typed. */
  readonly mcpConfigPath?: string;
  readonly cwd: string;
}

export interface McpServersSettings {
  readonly servers: Readonly<Record<string, NormalisedEntry>>;
  /** Environment and header values, for the logger's redaction. */
  readonly secrets: readonly string[];
}

export function loadMcpServers(input: McpServersInput): McpServersSettings {
  const fromFile = input.mcpConfigPath === undefined ? {} : readMcpConfigFile(path.resolve(input.cwd, input.mcpConfigPath), input.mcpConfigPath);
  const fromSecrets = input.fromSecrets ?? {};
  const both = Object.keys(fromFile).filter((name) => name in fromSecrets);
  if (both.length > 0) {
    throw new ConfigError(
      `MCP server ${both.map((name) => `"${name}"`).join(', ')} is configured both in ${input.secretsDisplayPath} and in ${input.mcpConfigPath} ` +
        `(--mcp-config). Keep it in one of them, or rename one.`,
    );
  }
  const servers = Object.fromEntries(
    Object.entries({ ...fromSecrets, ...fromFile }).map(([name, entry]) => [name, resolvePaths(entry, input.cwd)]),
  );
  const secrets = Object.values(servers).flatMap((entry) =>
    entry.transport === 'stdio' ? Object.values(entry.env) : Object.values(entry.headers),
  );
  return { servers, secrets };
}

/** An `mcp.json`: `{"mcpServers": {...}}`; each problem with its file:line:column. */
export function readMcpConfigFile(filePath: string, displayPath: string): McpServersConfiguration {
  if (!existsSync(filePath)) {
    throw new ConfigError(`The MCP configuration file ${displayPath} (from --mcp-config) does not exist. Check the path.`);
  }
  const text = readFileSync(filePath, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const problem = describeJsonError(error, text);
    const where = problem.line ? `:${problem.line}:${problem.column}` : '';
    throw new ConfigError(
      `${displayPath}${where}: not valid JSON: ${problem.description}.\n` +
        `An MCP configuration looks like {"mcpServers": {"vault": {"command": "node", "args": ["server.js", "\${sandbox}"]}}}.`,
    );
  }
  const result = mcpConfigFileSchema.safeParse(parsed);
  if (!result.success) {
    throw schemaProblems(result.error.issues, text, displayPath, 'See "Tools from MCP servers" in README.md.');
  }
  return result.data.mcpServers;
}

function resolvePaths(entry: NormalisedEntry, cwd: string): NormalisedEntry {
  if (entry.transport !== 'stdio') return entry;
  return {
    ...entry,
    // A cwd that is the sandbox itself is resolved per conversation, not here.
    ...(entry.cwd === undefined || entry.cwd.startsWith('${sandbox}') ? {} : { cwd: path.resolve(cwd, entry.cwd) }),
    ...(entry.sandboxTemplate === undefined ? {} : { sandboxTemplate: path.resolve(cwd, entry.sandboxTemplate) }),
  };
}
