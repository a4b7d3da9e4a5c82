import type { MonthlyBudgets } from '../core/budget.js';
import type { ModelPrice, PipelineRoles, ProviderName, ProviderType, RoleModels, RoleSamplings } from '../core/types.js';
import type { McpServersSettings } from './load-mcp-servers.js';

export type { ModelPrice, MonthlyBudgets };

/** Everything one provider instance needs at run time, validated and frozen. */
export interface ProviderSettings {
  /** The instance: `together`, or the name of a `providers.<name>` entry (`together-b`). */
  readonly name: ProviderName;
  /** Which adapter (SDK) serves it. */
  readonly type: ProviderType;
  /** Never logged: the logger redacts every value of `Configuration.secrets`. */
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly requestsPerSecond: number;
  readonly tokensPerMinute: number | undefined;
  readonly maxConcurrency: number;
  readonly timeoutMs: number;
  /**
   * Extra spacing between request starts, in ms: a margin against a strict server-side limiter.
   * @default 0 (the offline dry run leaves it unset)
   */
  readonly pacingMarginMs?: number;
  /** One model for every role of the selected pipeline. */
  readonly models: RoleModels;
}

export interface Configuration {
  readonly dataDir: string;
  /** The secrets file that was read, or would have been read (it may be absent when keys come from the environment). */
  readonly secretsPath: string;
  /** Enabled provider instances with their settings, in the order of `enabled_providers`. */
  readonly providers: readonly ProviderSettings[];
  readonly prices: Readonly<Record<string, ModelPrice>>;
  /** Per calendar month (UTC), kept in the data directory across runs; empty when none are set. */
  readonly budgets: MonthlyBudgets;
  /**
   * Per role the selected pipeline asks this run: `sampling.<role>` over the role's defaults. The
   * same on every provider. Roles left unasked (the judge without --judge) are absent.
   */
  readonly sampling: RoleSamplings;
  /** Problems that do not stop the run (an unknown top-level key, say). */
  readonly warnings: readonly string[];
  /** Every key in play, for redaction. */
  readonly secrets: readonly string[];
  /** MCP servers from `mcpServers` in secrets.json and `--mcp-config`; empty when none. */
  readonly mcpServers: McpServersSettings['servers'];
  /** True for `--offline`: an in-process emulator stands in for every provider. */
  readonly offline: boolean;
}

/** What the CLI hands the loader: paths, environment and flags. */
export interface ConfigurationInput {
  /** @default 'data' (relative to `cwd`) */
  readonly dataDir?: string;
  /** @default '<dataDir>/secrets.json' */
  readonly configPath?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** `--providers a,b`: this run uses these instances (any with a key), whatever `enabled_providers` says. */
  readonly only?: readonly string[];
  /** `--mcp-config FILE`, as typed. */
  readonly mcpConfig?: string;
  /** `--<type>-base-url` flags; they win over the environment and the file for the instance named after the type. */
  readonly baseUrls?: Readonly<Partial<Record<ProviderType, string>>>;
  /** The selected pipeline's roles: every provider gets a model for each, and `models` keys are checked against them. */
  readonly roles: PipelineRoles;
}
