import { ConfigError } from '../core/errors.js';
import { PROVIDER_TYPES, type ProviderName, type ProviderType } from '../core/types.js';
import type { ConfigurationInput } from './configuration.js';
import { PROVIDER_DEFAULTS, isPlaceholderKey } from './provider-defaults.js';
import type { ProviderOverrides, SecretsFile } from './secrets-schema.js';

export interface KeyLookup {
  readonly key?: string;
  /** Why there is no usable key, in words that say where to put one. */
  readonly missing?: string;
}

/** One provider instance as the configuration declares it, before the run picks which ones to use. */
export interface ConfiguredInstance {
  readonly name: ProviderName;
  readonly type: ProviderType;
  /** `providers.<name>`, or empty when the instance has no entry. */
  readonly entry: ProviderOverrides;
  /**
   * The instance named after its type (`together`): the classic top-level keys, the environment
   * variables and the `--<type>-base-url` flags are its own. Other instances take everything from
   * their entry, so a second key never silently falls back to the first one's.
   */
  readonly classic: boolean;
  readonly key: KeyLookup;
  /** Used when neither `enabled_providers` nor `--providers` names the instances to use. */
  readonly enabledByDefault: boolean;
}

/** Instance names end up in flags (`--providers a,b`), log lines and the status table. */
const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const TYPES = new Set<string>(PROVIDER_TYPES);

export function isProviderType(name: string): name is ProviderType {
  return TYPES.has(name);
}

/**
 * Every instance the configuration declares: one per type, named after it (the classic
 * `secrets.json`: a type without a key is declared but not usable), then each `providers.<name>`
 * entry with a name of its own, in the order of the file. Throws a ConfigError for an entry whose
 * name or type is wrong.
 */
export function readProviderInstances(secrets: SecretsFile, input: ConfigurationInput, displayPath: string): ConfiguredInstance[] {
  const entries = secrets.providers ?? {};
  const classic = PROVIDER_TYPES.map((type) => classicInstance(type, entries[type] ?? {}, secrets, input, displayPath));
  const named = Object.entries(entries)
    .filter(([name]) => !isProviderType(name))
    .map(([name, entry]) => namedInstance(name, entry, displayPath));
  return [...classic, ...named];
}

function classicInstance(
  type: ProviderType,
  entry: ProviderOverrides,
  secrets: SecretsFile,
  input: ConfigurationInput,
  displayPath: string,
): ConfiguredInstance {
  if (entry.type !== undefined && entry.type !== type) {
    throw new ConfigError(
      `${displayPath}: providers.${type}.type: an entry named after a provider type is of that type, but it says "${entry.type}". ` +
        `Give the entry a name of its own (e.g. "${entry.type}-2"), or remove "type".`,
    );
  }
  const key = lookUpClassicKey(type, entry, secrets, input.env);
  const enabledByDefault =
    type === 'openai_compatible'
      ? secrets.openai_compatible !== undefined || input.env.OPENAI_COMPATIBLE_BASE_URL !== undefined || input.baseUrls?.openai_compatible !== undefined
      : key.key !== undefined;
  return { name: type, type, entry, classic: true, key, enabledByDefault };
}

function namedInstance(name: string, entry: ProviderOverrides, displayPath: string): ConfiguredInstance {
  if (!INSTANCE_NAME.test(name)) {
    throw new ConfigError(
      `${displayPath}: providers.${JSON.stringify(name)}: an instance name is 1 to 64 letters, digits, "-", "_" or ".", starting with a letter or digit ` +
        `(it is typed in --providers a,b and shown in logs). Rename the entry, e.g. "together-b".`,
    );
  }
  if (entry.type === undefined) {
    throw new ConfigError(
      `${displayPath}: providers.${name}: "${name}" is not a provider type, so the entry needs "type": one of ` +
        `${PROVIDER_TYPES.map((type) => `"${type}"`).join(', ')} (an entry named after a type, such as "together", needs none).`,
    );
  }
  const type = entry.type;
  return { name, type, entry, classic: false, key: lookUpEntryKey(name, type, entry), enabledByDefault: true };
}

export function lookUpKeyInEnvironment(type: ProviderType, env: ConfigurationInput['env']): string | undefined {
  for (const variable of PROVIDER_DEFAULTS[type].keyVariables) {
    const value = env[variable]?.trim();
    if (value && !isPlaceholderKey(value)) return value;
  }
  return undefined;
}

/** The environment first, then `providers.<type>.api_key`, then the classic top-level key. */
function lookUpClassicKey(type: ProviderType, entry: ProviderOverrides, secrets: SecretsFile, env: ConfigurationInput['env']): KeyLookup {
  const fromEnvironment = lookUpKeyInEnvironment(type, env);
  if (fromEnvironment) return { key: fromEnvironment };
  const defaults = PROVIDER_DEFAULTS[type];
  const classicKey = type === 'openai_compatible' ? secrets.openai_compatible?.api_key : (secrets as Record<string, unknown>)[defaults.secretsKey];
  const fromFile = entry.api_key ?? classicKey;
  const where = `${defaults.secretsKey} in the secrets file or ${defaults.keyVariables.join('/')}`;
  return checkKey(fromFile, where);
}

function lookUpEntryKey(name: ProviderName, type: ProviderType, entry: ProviderOverrides): KeyLookup {
  const lookup = checkKey(entry.api_key, `providers.${name}.api_key`);
  // A local server usually needs no key; the classic instance of the type behaves the same.
  return lookup.key === undefined && !PROVIDER_DEFAULTS[type].keyRequired ? {} : lookup;
}

function checkKey(value: unknown, where: string): KeyLookup {
  if (typeof value !== 'string' || value.trim() === '') return { missing: `no key (set ${where})` };
  if (isPlaceholderKey(value)) return { missing: `the key is still the template placeholder "${value.trim()}" (set ${where})` };
  return { key: value.trim() };
}

/** Whether the instance can run: it has a key, or its type needs none. */
export function isUsable(instance: ConfiguredInstance): boolean {
  return instance.key.key !== undefined || !PROVIDER_DEFAULTS[instance.type].keyRequired;
}

/** The names `--providers` and `enabled_providers` may use, for error messages. */
export function describeInstanceNames(instances: readonly ConfiguredInstance[]): string {
  return instances.map((instance) => (instance.classic ? instance.name : `${instance.name} (${instance.type})`)).join(', ');
}
