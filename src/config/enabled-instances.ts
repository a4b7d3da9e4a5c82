import { ConfigError } from '../core/errors.js';
import { describeInstanceNames, isUsable, type ConfiguredInstance } from './provider-instances.js';

export interface EnabledInstances {
  /** In the order the user named them (`--providers`, `enabled_providers`), else of the file. */
  readonly instances: readonly ConfiguredInstance[];
  readonly warnings: readonly string[];
}

/**
 * The instances this run uses: `--providers` if given (any usable instance may be named, so trying
 * one more needs no edit of the file), else `enabled_providers`, else every instance with a key
 * (and every `providers.<name>` entry, which was written to be used). Throws a ConfigError for an
 * unknown name, and for a chosen instance without the key it needs, naming it.
 */
export function chooseEnabledInstances(
  instances: readonly ConfiguredInstance[],
  listed: readonly string[] | undefined,
  only: readonly string[] | undefined,
  displayPath: string,
): EnabledInstances {
  const warnings: string[] = [];
  const listedInstances = listed === undefined ? undefined : resolveNames(instances, listed, `${displayPath}: enabled_providers`, warnings);
  let enabled: ConfiguredInstance[];
  if (only !== undefined) {
    enabled = resolveNames(instances, only, '--providers', warnings);
    const withoutKey = enabled.filter((instance) => !isUsable(instance));
    if (withoutKey.length > 0) {
      throw new ConfigError(
        `--providers names ${withoutKey.map((instance) => instance.name).join(', ')}, which cannot be used without a key:\n${describeMissingKeys(withoutKey)}`,
      );
    }
  } else if (listedInstances !== undefined) {
    enabled = listedInstances;
    const withoutKey = enabled.filter((instance) => !isUsable(instance));
    if (withoutKey.length > 0) {
      throw new ConfigError(
        `${displayPath}: enabled_providers lists ${withoutKey.length === 1 ? 'a provider' : 'providers'} without an API key:\n${describeMissingKeys(withoutKey)}\n` +
          `Add the key, or remove the provider from enabled_providers.`,
      );
    }
  } else {
    enabled = instances.filter((instance) => instance.enabledByDefault);
    const withoutKey = enabled.filter((instance) => !isUsable(instance));
    if (withoutKey.length > 0) {
      throw new ConfigError(
        `${displayPath}: ${withoutKey.length === 1 ? 'a provider instance has' : 'provider instances have'} no API key:\n${describeMissingKeys(withoutKey)}\n` +
          `Add the key to the entry, or list the instances to use in enabled_providers.`,
      );
    }
  }
  if (enabled.length === 0) throw new ConfigError(noProvidersMessage(instances, listed !== undefined, only));
  return { instances: enabled, warnings };
}

/** Names to instances, in the order given; an unknown name is an error listing the configured ones. */
function resolveNames(instances: readonly ConfiguredInstance[], names: readonly string[], where: string, warnings: string[]): ConfiguredInstance[] {
  const byName = new Map(instances.map((instance) => [instance.name, instance]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `${where}: unknown provider ${unknown.map((name) => JSON.stringify(name)).join(', ')}; the configured instances are ` +
        `${describeInstanceNames(instances)}. A new instance needs an entry: "providers": {"<name>": {"type": "together", "api_key": "…"}}.`,
    );
  }
  const repeated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
  if (repeated.length > 0) {
    warnings.push(`${where} names ${repeated.map((name) => `"${name}"`).join(', ')} more than once; each instance runs once`);
  }
  return [...new Set(names)].map((name) => byName.get(name)!);
}

function describeMissingKeys(instances: readonly ConfiguredInstance[]): string {
  return instances.map((instance) => `  - ${instance.name}: ${instance.key.missing}`).join('\n');
}

function noProvidersMessage(instances: readonly ConfiguredInstance[], listed: boolean, only?: readonly string[]): string {
  const reasons = instances.map((instance) => {
    const unconfiguredLocalServer = instance.classic && instance.type === 'openai_compatible';
    const reason = unconfiguredLocalServer ? 'not configured (add "openai_compatible": {"base_url": ...})' : (instance.key.missing ?? 'not enabled');
    return `  - ${instance.name}: ${instance.key.key ? 'has a key but is not enabled' : reason}`;
  });
  const why = only ? ' (after --providers)' : listed ? ' (enabled_providers is empty)' : '';
  return `No API clients initialized${why}:\n${reasons.join('\n')}\nAdd at least one API key, or try nightshift without keys: npm run generate -- --target 20 --offline`;
}
