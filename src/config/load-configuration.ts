import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { PROVIDER_NAMES, type ProviderName } from '../core/types.js';
import type { Configuration, ConfigurationInput, ModelPrice, ProviderSettings } from './configuration.js';
import { describeJsonError } from './json-location.js';
import { PROVIDER_DEFAULTS, isPlaceholderKey } from './provider-defaults.js';
import { KNOWN_PROVIDERS, KNOWN_TOP_LEVEL_KEYS, describeValue, secretsSchema, type SecretsFile } from './secrets-schema.js';

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
  const secrets = readSecretsFile(secretsPath, displayPath, input);
  const warnings = Object.keys(secrets)
    .filter((key) => !KNOWN_TOP_LEVEL_KEYS.has(key))
    .map((key) => `${displayPath}: unknown key "${key}" is ignored (known keys: ${[...KNOWN_TOP_LEVEL_KEYS].join(', ')})`);

  const keys = new Map(PROVIDER_NAMES.map((name) => [name, lookUpKey(name, secrets, input.env)]));
  const enabled = chooseEnabledProviders(secrets, keys, input, displayPath);
  const providers = enabled.map((name) => buildProviderSettings(name, keys.get(name)?.key ?? NO_KEY_NEEDED, secrets, input));
  const allSecrets = [...keys.values()].flatMap((lookup) => (lookup.key ? [lookup.key] : []));

  return deepFreeze({
    dataDir,
    secretsPath,
    providers,
    prices: convertPrices(secrets),
    warnings,
    secrets: allSecrets,
    offline: false,
  });
}

function readSecretsFile(secretsPath: string, displayPath: string, input: ConfigurationInput): SecretsFile {
  if (!existsSync(secretsPath)) {
    const keyInEnvironment = PROVIDER_NAMES.some((name) => lookUpKeyInEnvironment(name, input.env));
    if (keyInEnvironment && input.configPath === undefined) return {};
    throw new ConfigError(missingSecretsMessage(displayPath, input.configPath !== undefined));
  }
  const text = readFileSync(secretsPath, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const problem = describeJsonError(error, text);
    const where = problem.line ? ` at line ${problem.line}, column ${problem.column}` : '';
    throw new ConfigError(
      `${displayPath} is not valid JSON${where}: ${problem.description}.\n` +
        `Fix the file (compare with secrets.example.json); keys and strings need double quotes and no trailing commas.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${displayPath} must hold a JSON object like {"mistral_api_key": "..."}, got ${describeValue(parsed)}.`);
  }
  const result = secretsSchema.safeParse(parsed);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new ConfigError(`${displayPath} has ${lines.length === 1 ? 'a problem' : 'problems'}:\n${lines.join('\n')}\nSee the configuration reference in README.md.`);
  }
  return result.data;
}

function missingSecretsMessage(displayPath: string, explicit: boolean): string {
  if (explicit) return `The configuration file ${displayPath} (from --config) does not exist. Check the path.`;
  return [
    `No configuration found: ${displayPath} does not exist and no API key is set in the environment.`,
    `Create it from the template:`,
    `    cp secrets.example.json ${displayPath}`,
    `then put your API key(s) in it (mistral_api_key, together_api_key, huggingface_api_key) and list the`,
    `providers to use in "enabled_providers". Keys can also come from MISTRAL_API_KEY, TOGETHER_API_KEY or`,
    `HF_TOKEN (or a .env file). To try nightshift without any key, run: npm run generate -- --target 20 --offline`,
  ].join('\n');
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
  let enabled: ProviderName[];
  if (listed) {
    enabled = validateProviderNames(listed, `${displayPath}: enabled_providers`);
    const withoutKey = enabled.filter((name) => !usable(name));
    if (withoutKey.length > 0) {
      const lines = withoutKey.map((name) => `  - ${name}: ${keys.get(name)?.missing}`);
      throw new ConfigError(
        `${displayPath}: enabled_providers lists ${withoutKey.length === 1 ? 'a provider' : 'providers'} without an API key:\n${lines.join('\n')}\n` +
          `Add the key, or remove the provider from enabled_providers.`,
      );
    }
  } else {
    const localServer = secrets.openai_compatible !== undefined || input.env.OPENAI_COMPATIBLE_BASE_URL !== undefined;
    enabled = PROVIDER_NAMES.filter((name) => (name === 'openai_compatible' ? localServer : keys.get(name)?.key !== undefined));
  }
  for (const name of Object.keys(secrets.providers ?? {})) {
    if (!KNOWN_PROVIDERS.has(name)) {
      throw new ConfigError(`${displayPath}: providers.${name}: unknown provider "${name}"; expected one of ${PROVIDER_NAMES.join(', ')}.`);
    }
  }
  if (input.only) enabled = restrictTo(enabled, validateProviderNames(input.only, '--providers'));
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

function restrictTo(enabled: readonly ProviderName[], only: readonly ProviderName[]): ProviderName[] {
  const notEnabled = only.filter((name) => !enabled.includes(name));
  if (notEnabled.length > 0) {
    throw new ConfigError(
      `--providers names ${notEnabled.join(', ')}, which ${notEnabled.length === 1 ? 'is' : 'are'} not enabled in the configuration ` +
        `(enabled: ${enabled.join(', ') || 'none'}). Add a key and enable it first.`,
    );
  }
  return enabled.filter((name) => only.includes(name));
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
    models: { ...defaults.models, ...stripUndefined(overrides.models ?? {}) },
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

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
