import type { PipelineRoles, ProviderName, ProviderType, RoleSamplings, Sampling } from '../core/types.js';
import { ConfigError } from '../core/errors.js';
import { schemaProblems } from './read-secrets-file.js';
import { describeUnknownRoles, unknownRoles } from './role-models.js';
import type { ConfiguredSampling } from './secrets-schema.js';

/** The secrets file as read: its text places a problem at its line and column. */
export interface SamplingSource {
  /** Absent when no file was read (keys from the environment only): there is then nothing configured either. */
  readonly text: string | undefined;
  readonly displayPath: string;
}

/**
 * The sampling of every role the selected pipeline asks this run: `sampling.<role>` in secrets.json,
 * field by field over the role's declared default (today's values). Checked here, once, against the
 * pipeline's roles, because the schema cannot know them: a role the pipeline does not have is a typo
 * that would silently change nothing. One setting per role for every provider: sampling is part of
 * the dataset's recipe, and a conversation that fails over to another provider keeps it.
 */
export function resolveRoleSampling(
  configured: Readonly<Record<string, ConfiguredSampling>> | undefined,
  selected: PipelineRoles,
  source: SamplingSource,
): RoleSamplings {
  const unknown = unknownRoles(configured, selected);
  if (unknown.length > 0) {
    const issues = unknown.map((role) => ({ path: ['sampling'], code: 'unrecognized_keys', keys: [role], message: describeUnknownRoles([role], selected) }));
    throw schemaProblems(issues, source.text ?? '', source.displayPath, 'See "sampling" in the configuration reference in README.md.');
  }
  const samplings: Record<string, Sampling> = {};
  for (const role of selected.roles) {
    // A role this run never asks leaves no trace in the manifest: changing it changes nothing made.
    if (selected.unused?.includes(role.name) === true) continue;
    samplings[role.name] = { ...role.defaultSampling, ...toSampling(configured?.[role.name]) };
  }
  return samplings;
}

/**
 * Mistral's API refuses a temperature above 1.5 (its request schema's maximum); OpenAI's,
 * Together's and TGI's go to 2, the schema's bound.
 */
const MISTRAL_MAX_TEMPERATURE = 1.5;

/** A role whose temperature every request to the enabled Mistral instances would be refused for. */
export interface RefusedTemperature {
  readonly role: string;
  readonly temperature: number;
  readonly instances: readonly ProviderName[];
}

/**
 * The roles of `sampling` (as configured, or as a pipeline sends it after its own flags) whose
 * temperature the enabled Mistral instances would refuse.
 */
export function temperaturesMistralRefuses(
  sampling: Readonly<Record<string, unknown>>,
  providers: readonly { readonly name: ProviderName; readonly type: ProviderType }[],
): RefusedTemperature[] {
  const instances = providers.filter((provider) => provider.type === 'mistral').map((provider) => provider.name);
  if (instances.length === 0) return [];
  return Object.entries(sampling).flatMap(([role, settings]) => {
    const temperature = (settings as Sampling | undefined)?.temperature;
    return typeof temperature === 'number' && temperature > MISTRAL_MAX_TEMPERATURE ? [{ role, temperature, instances }] : [];
  });
}

/** What to say of a refused temperature, whoever set it; `lower` names what to lower. */
export function describeRefusedTemperature({ role, temperature, instances }: RefusedTemperature, lower: string): string {
  return (
    `Mistral accepts a temperature up to ${MISTRAL_MAX_TEMPERATURE} and refuses more, got \`${temperature}\`, so every ${role} request to ${instances.join(', ')} would fail. ` +
    `Lower ${lower} to ${MISTRAL_MAX_TEMPERATURE} or less, or leave ${instances.length === 1 ? 'that instance' : 'those instances'} out (enabled_providers, --providers).`
  );
}

/**
 * A temperature a Mistral instance would refuse on every request of the role (a 400 all night) is
 * a configuration error now, placed at the key.
 */
export function checkSamplingFitsProviders(
  sampling: RoleSamplings,
  providers: readonly { readonly name: ProviderName; readonly type: ProviderType }[],
  source: SamplingSource,
): void {
  const issues = temperaturesMistralRefuses(sampling, providers).map((refused) => ({
    path: ['sampling', refused.role, 'temperature'],
    message: describeRefusedTemperature(refused, 'it'),
  }));
  if (issues.length > 0) throw schemaProblems(issues, source.text ?? '', source.displayPath, 'See "sampling" in the configuration reference in README.md.');
}

/**
 * `sampling.<role>` was checked as the configuration was read; a pipeline flag that wins over it
 * (self-play's --temperature) is only known once the pipeline is prepared, and meets the same
 * check then, before anything is written. `sampling`: `PipelineInputs.sampling`.
 */
export function checkPreparedSampling(
  pipeline: string,
  sampling: Readonly<Record<string, unknown>>,
  providers: readonly { readonly name: ProviderName; readonly type: ProviderType }[],
): void {
  const [refused] = temperaturesMistralRefuses(sampling, providers);
  if (refused === undefined) return;
  throw new ConfigError(
    `The ${pipeline} pipeline's flags set the ${refused.role} role's temperature: ` +
      describeRefusedTemperature(refused, `the flag that sets it (generate --pipeline ${pipeline} --help lists them)`),
  );
}

/** The file's snake_case keys as the request's fields; a key not given stays absent, so it never hides a default. */
function toSampling(configured: ConfiguredSampling | undefined): Sampling {
  if (configured === undefined) return {};
  return {
    ...(configured.temperature === undefined ? {} : { temperature: configured.temperature }),
    ...(configured.top_p === undefined ? {} : { topP: configured.top_p }),
    ...(configured.max_tokens === undefined ? {} : { maxTokens: configured.max_tokens }),
  };
}
