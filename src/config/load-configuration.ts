import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { PROVIDER_NAMES, type ProviderName } from '../core/types.js';
import type { Configuration, ConfigurationInput, ModelPrice, ProviderSettings } from './configuration.js';
import { checkCostBudgetsArePriced, readMonthlyBudgets } from './monthly-budgets.js';
import { PROVIDER_DEFAULTS, isPlaceholderKey } from './provider-defaults.js';
import { readSecretsFile } from './read-secrets-file.js';
import { resolveRoleModels } from './role-models.js';
import { KNOWN_PROVIDERS, KNOWN_TOP_LEVEL_KEYS, type SecretsFile } from './secrets-schema.js';

/** A key openai-compatible local servers accept; the `openai` SDK refuses an empty one. */
const NO_KEY_NEEDED = 'not-needed';

interface KeyLookup {
  readonly key?: string;
  /** Why there is no usable key, for "No API clients initialized". */
  readonly missing?: string;
}

/**
 * Reads `secrets.json`, `.env` values (already merged into `input.env`) and flags into one frozen
 * Configuration, or throws one ConfigError that says what is wrong, where, and how to fix it.
 * Reads only; never writes.
 */
export function loadConfiguration(input: ConfigurationInput): Configuration {
  const dataDir = path.resolve(input.cwd, input.dataDir ?? 'data');
  const secretsPath = path.resolve(input.cwd, input.configPath ?? path.join(dataDir, 'secrets.json'));
  const displayPath = path.relative(input.cwd, secretsPath) || secretsPath;
  const secrets = readSecretsFile({ secretsPath, displayPath, input, usableWithoutFile: usableWithoutFile(input) });
  const warnings = Object.keys(secrets)
    .filter((key) => !KNOWN_TOP_LEVEL_KEYS.has(key))
    .map((key) => `${displayPath}: unknown key "${key}" is ignored (known keys: ${[...KNOWN_TOP_LEVEL_KEYS].join(', ')})`);

  const keys = new Map(PROVIDER_NAMES.map((name) => [name, lookUpKey(name, secrets, input.env)]));
  const enabled = chooseEnabledProviders(secrets, keys, input, displayPath);
  const providers = enabled.map((name) => buildProviderSettings(name, keys.get(name)?.key ?? NO_KEY_NEEDED, secrets, input, displayPath));
  const allSecrets = [...keys.values()].flatMap((lookup) => (lookup.key ? [lookup.key] : []));
  const prices = convertPrices(secrets);
  const budgets = readMonthlyBudgets(secrets);
  checkCostBudgetsArePriced(budgets, providers, prices, displayPath);

  return deepFreeze({
    dataDir,
    secretsPath,
    providers,
    prices,
    budgets,
    warnings,
    secrets: allSecrets,
    offline: false,
  });
}

/**
 * A key in the environment, or a local OpenAI-compatible server named there or by flag: enough to
 * run without a secrets file (a server that needs no key is a whole configuration by itself).
 */
function usableWithoutFile(input: ConfigurationInput): boolean {
  if (PROVIDER_NAMES.some((name) => lookUpKeyInEnvironment(name, input.env))) return true;
  return input.env.OPENAI_COMPATIBLE_BASE_URL?.trim() || input.baseUrls?.openai_compatible ? true : false;
}

function lookUpKeyInEnvironment(name: ProviderName, env: ConfigurationInput['env']): string | undefined {
  for (const variable of PROVIDER_DEFAULTS[name].keyVariables) {
    const value = env[variable]?.trim();
    if (value && !isPlaceholderKey(value)) return value;
  }
  return undefined;
}

function lookUpKey(name: ProviderName, secrets: SecretsFile, env: ConfigurationInput['env']): KeyLookup {
  const fromEnvironment = lookUpKeyInEnvironment(name, env);
  if (fromEnvironment) return { key: fromEnvironment };
  const defaults = PROVIDER_DEFAULTS[name];
  const fromFile = name === 'openai_compatible' ? secrets.openai_compatible?.api_key : (secrets as Record<string, unknown>)[defaults.secretsKey];
  const where = `${defaults.secretsKey} in the secrets file or ${defaults.keyVariables.join('/')}`;
  if (typeof fromFile !== 'string' || fromFile.trim() === '') return { missing: `no key (set ${where})` };
  if (isPlaceholderKey(fromFile)) return { missing: `the key is still the template placeholder "${fromFile.trim()}" (set ${where})` };
  return { key: fromFile.trim() };
}

function chooseEnabledProviders(
  secrets: SecretsFile,
  keys: ReadonlyMap<ProviderName, KeyLookup>,
  input: ConfigurationInput,
  displayPath: string,
): ProviderName[] {
  const usable = (name: ProviderName) => keys.get(name)?.key !== undefined || !PROVIDER_DEFAULTS[name].keyRequired;
  const listed = secrets.enabled_providers;
  for (const name of Object.keys(secrets.providers ?? {})) {
    if (!KNOWN_PROVIDERS.has(name)) {
      throw new ConfigError(`${displayPath}: providers.${name}: unknown provider "${name}"; expected one of ${PROVIDER_NAMES.join(', ')}.`);
    }
  }
  const listedNames = listed ? validateProviderNames(listed, `${displayPath}: enabled_providers`) : undefined;
  let enabled: ProviderName[];
  if (input.only) {
    enabled = chooseForThisRun(validateProviderNames(input.only, '--providers'), keys, usable);
  } else if (listedNames) {
    enabled = listedNames;
    const withoutKey = enabled.filter((name) => !usable(name));
    if (withoutKey.length > 0) {
      const lines = withoutKey.map((name) => `  - ${name}: ${keys.get(name)?.missing}`);
      throw new ConfigError(
        `${displayPath}: enabled_providers lists ${withoutKey.length === 1 ? 'a provider' : 'providers'} without an API key:\n${lines.join('\n')}\n` +
          `Add the key, or remove the provider from enabled_providers.`,
      );
    }
  } else {
    const localServer =
      secrets.openai_compatible !== undefined || input.env.OPENAI_COMPATIBLE_BASE_URL !== undefined || input.baseUrls?.openai_compatible !== undefined;
    enabled = PROVIDER_NAMES.filter((name) => (name === 'openai_compatible' ? localServer : keys.get(name)?.key !== undefined));
  }
  if (enabled.length === 0) throw new ConfigError(noProvidersMessage(keys, listed !== undefined, input.only));
  return enabled;
}

function validateProviderNames(names: readonly string[], where: string): ProviderName[] {
  const unknown = names.filter((name) => !KNOWN_PROVIDERS.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${where}: unknown provider ${unknown.map((name) => `"${name}"`).join(', ')}; expected one of ${PROVIDER_NAMES.join(', ')}.`,
    );
  }
  return [...new Set(names)] as ProviderName[];
}

/**
 * `--providers a,b` overrides `enabled_providers` for this run: any provider with a key (or one
 * that needs none) may be named, so trying one more provider needs no edit of the file.
 */
function chooseForThisRun(
  only: readonly ProviderName[],
  keys: ReadonlyMap<ProviderName, KeyLookup>,
  usable: (name: ProviderName) => boolean,
): ProviderName[] {
  const withoutKey = only.filter((name) => !usable(name));
  if (withoutKey.length > 0) {
    const lines = withoutKey.map((name) => `  - ${name}: ${keys.get(name)?.missing}`);
    throw new ConfigError(`--providers names ${withoutKey.join(', ')}, which cannot be used without a key:\n${lines.join('\n')}`);
  }
  return [...only];
}

function noProvidersMessage(keys: ReadonlyMap<ProviderName, KeyLookup>, listed: boolean, only?: readonly string[]): string {
  const reasons = PROVIDER_NAMES.map((name) => {
    const reason = name === 'openai_compatible' ? 'not configured (add "openai_compatible": {"base_url": ...})' : keys.get(name)?.missing ?? 'not enabled';
    return `  - ${name}: ${keys.get(name)?.key ? 'has a key but is not enabled' : reason}`;
  });
  const why = only ? ' (after --providers)' : listed ? ' (enabled_providers is empty)' : '';
  return `No API clients initialized${why}:\n${reasons.join('\n')}\nAdd at least one API key, or try nightshift without keys: npm run generate -- --target 20 --offline`;
}

function buildProviderSettings(
  name: ProviderName,
  apiKey: string,
  secrets: SecretsFile,
  input: ConfigurationInput,
  displayPath: string,
): ProviderSettings {
  const defaults = PROVIDER_DEFAULTS[name];
  const overrides = secrets.providers?.[name] ?? {};
  const fileBaseUrl = name === 'openai_compatible' ? (overrides.base_url ?? secrets.openai_compatible?.base_url) : overrides.base_url;
  const baseUrl = input.baseUrls?.[name] ?? input.env[defaults.baseUrlVariable]?.trim() ?? fileBaseUrl ?? defaults.baseUrl;
  if (!/^https?:\/\/\S+$/.test(baseUrl)) {
    throw new ConfigError(`The base URL for ${name} must be an http:// or https:// URL (check ${defaults.baseUrlVariable} or --${name.replace('_', '-')}-base-url).`);
  }
  const trimmedBaseUrl = baseUrl.replace(/\/+$/, '');
  if (name === 'mistral') checkMistralServerRoot(trimmedBaseUrl, baseUrlSource(name, input, fileBaseUrl));
  return {
    name,
    apiKey,
    baseUrl: trimmedBaseUrl,
    requestsPerSecond: overrides.requests_per_second ?? defaults.requestsPerSecond,
    tokensPerMinute: overrides.tokens_per_minute ?? defaults.tokensPerMinute,
    maxConcurrency: overrides.max_concurrency ?? defaults.maxConcurrency,
    timeoutMs: overrides.timeout_ms ?? defaults.timeoutMs,
    pacingMarginMs: overrides.pacing_margin_ms ?? defaults.pacingMarginMs,
    models: resolveRoleModels(name, overrides.models, input.roles, displayPath),
  };
}

/** Where the base URL in effect came from, in the words the user would search for. */
function baseUrlSource(name: ProviderName, input: ConfigurationInput, fileBaseUrl: string | undefined): string {
  const variable = PROVIDER_DEFAULTS[name].baseUrlVariable;
  if (input.baseUrls?.[name] !== undefined) return `--${name.replace('_', '-')}-base-url`;
  if (input.env[variable]?.trim() !== undefined) return variable;
  if (fileBaseUrl !== undefined) return `providers.${name}.base_url`;
  return 'the default';
}

/**
 * The Mistral SDK takes the server root and appends /v1/chat/completions itself, so a base URL
 * ending in /v1 (as the OpenAI-style SDKs want) sends every request to /v1/v1/... and each one
 * fails with 404 all night.
 */
function checkMistralServerRoot(baseUrl: string, source: string): void {
  if (!/\/v1$/i.test(baseUrl)) return;
  // Origin and path only: a URL may carry credentials or a token in its query.
  const parsed = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  const shown = parsed === undefined ? 'a URL' : `${parsed.origin}${parsed.pathname}`;
  const root = parsed === undefined ? 'the server root' : `${parsed.origin}${parsed.pathname.replace(/\/v1$/i, '')}`;
  throw new ConfigError(
    `The base URL for mistral (${shown}, from ${source}) ends in /v1, but the Mistral SDK appends ` +
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
