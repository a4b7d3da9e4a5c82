import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { PipelineRoles, ProviderType } from '../core/types.js';
import type { Configuration, ProviderSettings } from './configuration.js';
import { deepFreeze } from './load-configuration.js';
import { loadMcpServers } from './load-mcp-servers.js';
import { resolveRoleSampling } from './role-sampling.js';

/** Rates for the dry run: fast enough to show the machinery in a minute, slow enough to show pacing. */
const OFFLINE_RATES: Readonly<Partial<Record<ProviderType, number>>> = { mistral: 4, together: 4, huggingface: 2 };

/** Where `--offline` keeps its state unless `--data-dir` says otherwise. */
export const OFFLINE_DATA_DIR = 'data/offline';

/**
 * The model the dry run names for a role: the emulator reads the role from it and plays it
 * (scripted for Ada's roles, a generic reply for any other).
 */
export function offlineModelFor(role: string): string {
  return `offline-${role}`;
}

/**
 * `--offline`: every provider is the in-process emulator, no key is needed, and models are named
 * after the selected pipeline's roles so the emulator's scripted model plays them.
 */
export function createOfflineConfiguration(options: {
  readonly cwd: string;
  readonly dataDir?: string;
  readonly baseUrls: Readonly<Record<ProviderType, string>>;
  readonly only?: readonly string[];
  readonly roles: PipelineRoles;
  /** `--mcp-config FILE`: the dry run reads no secrets file, so its MCP servers come from there only. */
  readonly mcpConfig?: string;
}): Configuration {
  // Never the real run's directory by default: a later real run would otherwise resume from the
  // dry run's scripted conversations and its simulated users' memories.
  const dataDir = path.resolve(options.cwd, options.dataDir ?? OFFLINE_DATA_DIR);
  const available = Object.keys(OFFLINE_RATES) as ProviderType[];
  const unknown = (options.only ?? []).filter((name) => !available.includes(name as ProviderType));
  if (unknown.length > 0) {
    throw new ConfigError(`--providers names ${unknown.join(', ')}, which the offline dry run does not emulate (it has ${available.join(', ')}).`);
  }
  const names = available.filter((name) => !options.only || options.only.includes(name));
  const mcp = loadMcpServers({ secretsDisplayPath: 'secrets.json', mcpConfigPath: options.mcpConfig, cwd: options.cwd });
  // A role this run never asks (the judge without --judge) gets no model, as in a real configuration.
  const asked = options.roles.roles.filter((role) => options.roles.unused?.includes(role.name) !== true);
  const models = Object.fromEntries(asked.map((role) => [role.name, offlineModelFor(role.name)]));
  const providers: ProviderSettings[] = names.map((name) => ({
    name,
    type: name,
    apiKey: 'offline-dry-run',
    baseUrl: options.baseUrls[name],
    requestsPerSecond: OFFLINE_RATES[name] ?? 2,
    tokensPerMinute: undefined,
    maxConcurrency: 16,
    timeoutMs: 30_000,
    models,
  }));
  return deepFreeze({
    dataDir,
    secretsPath: path.join(dataDir, 'secrets.json'),
    providers,
    prices: {},
    budgets: { overall: {}, providers: {} },
    // No secrets file in a dry run: every role samples as its pipeline declares.
    sampling: resolveRoleSampling(undefined, options.roles, { text: undefined, displayPath: 'secrets.json' }),
    warnings: [],
    secrets: mcp.secrets,
    mcpServers: mcp.servers,
    offline: true,
  });
}
