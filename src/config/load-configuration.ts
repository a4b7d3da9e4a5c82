import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { PROVIDER_TYPES, type ProviderType } from '../core/types.js';
import type { Configuration, ConfigurationInput, ModelPrice, ProviderSettings } from './configuration.js';
import { chooseEnabledInstances } from './enabled-instances.js';
import { checkCostBudgetsArePriced, readMonthlyBudgets } from './monthly-budgets.js';
import { PROVIDER_DEFAULTS } from './provider-defaults.js';
import { lookUpKeyInEnvironment, readProviderInstances, type ConfiguredInstance } from './provider-instances.js';
import { readSecretsFile } from './read-secrets-file.js';
import { resolveRoleModels } from './role-models.js';
import { checkSamplingFitsProviders, resolveRoleSampling } from './role-sampling.js';
import { loadMcpServers } from './load-mcp-servers.js';
import { KNOWN_TOP_LEVEL_KEYS, type SecretsFile } from './secrets-schema.js';

/** A key openai-compatible local servers accept; the `openai` SDK refuses an empty one. */
const NO_KEY_NEEDED = 'not-needed';

/**
 * Reads `secrets.json`, `.env` values (already merged into `input.env`) and flags into one frozen
 * Configuration, or throws one ConfigError that says what is wrong, where, and how to fix it.
 * Reads only; never writes.
 */
export function loadConfiguration(input: ConfigurationInput): Configuration {
  const dataDir = path.resolve(input.cwd, input.dataDir ?? 'data');
  const secretsPath = path.resolve(input.cwd, input.configPath ?? path.join(dataDir, 'secrets.json'));
  const displayPath = path.relative(input.cwd, secretsPath) || secretsPath;
  const { secrets, text } = readSecretsFile({ secretsPath, displayPath, input, usableWithoutFile: usableWithoutFile(input) });
  const warnings = Object.keys(secrets)
    .filter((key) => !KNOWN_TOP_LEVEL_KEYS.has(key))
    .map((key) => `${displayPath}: unknown key "${key}" is ignored (known keys: ${[...KNOWN_TOP_LEVEL_KEYS].join(', ')})`);

  const instances = readProviderInstances(secrets, input, displayPath);
  const enabled = chooseEnabledInstances(instances, secrets.enabled_providers, input.only, displayPath);
  warnings.push(...enabled.warnings);
  const providers = enabled.instances.map((instance) => buildProviderSettings(instance, input, secrets, displayPath));
  // Every key the file or the environment holds, used or not: the logger redacts them all.
  const mcp = loadMcpServers({ fromSecrets: secrets.mcpServers, secretsDisplayPath: displayPath, mcpConfigPath: input.mcpConfig, cwd: input.cwd });
  const allSecrets = [...new Set([...instances.flatMap((instance) => (instance.key.key ? [instance.key.key] : [])), ...mcp.secrets])];
  const sampling = resolveRoleSampling(secrets.sampling, input.roles, { text, displayPath });
  checkSamplingFitsProviders(sampling, providers, { text, displayPath });
  const prices = convertPrices(secrets);
  const budgets = readMonthlyBudgets(secrets);
  checkCostBudgetsArePriced(budgets, providers, prices, displayPath);

  return deepFreeze({
    dataDir,
    secretsPath,
    providers,
    prices,
    budgets,
    sampling,
    warnings,
    secrets: allSecrets,
    mcpServers: mcp.servers,
    offline: false,
  });
}

/**
 * A key in the environment, or a local OpenAI-compatible server named there or by flag: enough to
 * run without a secrets file (a server that needs no key is a whole configuration by itself).
 */
function usableWithoutFile(input: ConfigurationInput): boolean {
  if (PROVIDER_TYPES.some((type) => lookUpKeyInEnvironment(type, input.env))) return true;
  return input.env.OPENAI_COMPATIBLE_BASE_URL?.trim() || input.baseUrls?.openai_compatible ? true : false;
}

function buildProviderSettings(instance: ConfiguredInstance, input: ConfigurationInput, secrets: SecretsFile, displayPath: string): ProviderSettings {
  const { name, type, entry } = instance;
  const defaults = PROVIDER_DEFAULTS[type];
  const fileBaseUrl = type === 'openai_compatible' && instance.classic ? (entry.base_url ?? secrets.openai_compatible?.base_url) : entry.base_url;
  // The environment variables and flags are named after a type: they tune its classic instance only.
  const baseUrl = instance.classic
    ? (input.baseUrls?.[type] ?? input.env[defaults.baseUrlVariable]?.trim() ?? fileBaseUrl ?? defaults.baseUrl)
    : (fileBaseUrl ?? defaults.baseUrl);
  if (!/^https?:\/\/\S+$/.test(baseUrl)) {
    throw new ConfigError(`The base URL for ${name} must be an http:// or https:// URL (check ${defaults.baseUrlVariable} or --${type.replace('_', '-')}-base-url).`);
  }
  const trimmedBaseUrl = baseUrl.replace(/\/+$/, '');
  if (type === 'mistral') checkMistralServerRoot(name, trimmedBaseUrl, baseUrlSource(instance, input, fileBaseUrl));
  return {
    name,
    type,
    apiKey: instance.key.key ?? NO_KEY_NEEDED,
    baseUrl: trimmedBaseUrl,
    requestsPerSecond: entry.requests_per_second ?? defaults.requestsPerSecond,
    tokensPerMinute: entry.tokens_per_minute ?? defaults.tokensPerMinute,
    maxConcurrency: entry.max_concurrency ?? defaults.maxConcurrency,
    timeoutMs: entry.timeout_ms ?? defaults.timeoutMs,
    pacingMarginMs: entry.pacing_margin_ms ?? defaults.pacingMarginMs,
    models: resolveRoleModels(name, type, entry.models, input.roles, displayPath),
  };
}

/** Where the base URL in effect came from, in the words the user would search for. */
function baseUrlSource(instance: ConfiguredInstance, input: ConfigurationInput, fileBaseUrl: string | undefined): string {
  const type: ProviderType = instance.type;
  const variable = PROVIDER_DEFAULTS[type].baseUrlVariable;
  if (instance.classic && input.baseUrls?.[type] !== undefined) return `--${type.replace('_', '-')}-base-url`;
  if (instance.classic && input.env[variable]?.trim() !== undefined) return variable;
  if (fileBaseUrl !== undefined) return `providers.${instance.name}.base_url`;
  return 'the default';
}

/**
 * The Mistral SDK takes the server root and appends /v1/chat/completions itself, so a base URL
 * ending in /v1 (as the OpenAI-style SDKs want) sends every request to /v1/v1/... and each one
 * fails with 404 all night.
 */
function checkMistralServerRoot(name: string, baseUrl: string, source: string): void {
  if (!/\/v1$/i.test(baseUrl)) return;
  // Origin and path only: a URL may carry credentials or a token in its query.
  const parsed = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  const shown = parsed === undefined ? 'a URL' : `${parsed.origin}${parsed.pathname}`;
  const root = parsed === undefined ? 'the server root' : `${parsed.origin}${parsed.pathname.replace(/\/v1$/i, '')}`;
  throw new ConfigError(
    `The base URL for ${name} (${shown}, from ${source}) ends in /v1, but the Mistral SDK appends ` +
      `/v1/chat/completions itself, so every request would go to .../v1/v1/chat/completions and fail. ` +
      `Give the server root instead: ${root}`,
  );
}

function convertPrices(secrets: SecretsFile): Record<string, ModelPrice> {
  return Object.fromEntries(
    Object.entries(secrets.prices ?? {}).map(([model, price]) => [
      model,
      { inputPerMillion: price.input_per_million, outputPerMillion: price.output_per_million },
    ]),
  );
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
