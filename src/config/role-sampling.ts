import type { PipelineRoles, ProviderName, ProviderType, RoleSamplings, Sampling } from '../core/types.js';
import { schemaProblems } from './read-secrets-file.js';
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
  const roleNames = selected.roles.map((role) => role.name);
  const unknown = Object.keys(configured ?? {}).filter((role) => !roleNames.includes(role));
  if (unknown.length > 0) {
    const issues = unknown.map((role) => ({
      path: ['sampling'],
      code: 'unrecognized_keys',
      keys: [role],
      message:
        `unknown role "${role}"; the ${selected.pipeline} pipeline's roles are ${roleNames.join(', ')}. ` +
        `Rename or remove the key (or choose the pipeline those roles belong to with --pipeline).`,
    }));
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

/**
 * A temperature a Mistral instance would refuse on every request of the role (a 400 all night) is
 * a configuration error now, placed at the key.
 */
export function checkSamplingFitsProviders(
  sampling: RoleSamplings,
  providers: readonly { readonly name: ProviderName; readonly type: ProviderType }[],
  source: SamplingSource,
): void {
  const mistral = providers.filter((provider) => provider.type === 'mistral').map((provider) => provider.name);
  if (mistral.length === 0) return;
  const issues = Object.entries(sampling)
    .filter(([, role]) => role.temperature !== undefined && role.temperature > MISTRAL_MAX_TEMPERATURE)
    .map(([role, { temperature }]) => ({
      path: ['sampling', role, 'temperature'],
      message:
        `Mistral accepts a temperature up to ${MISTRAL_MAX_TEMPERATURE} and refuses more, got \`${temperature}\`, so every ${role} request to ${mistral.join(', ')} would fail. ` +
        `Lower it to ${MISTRAL_MAX_TEMPERATURE} or less, or leave ${mistral.length === 1 ? 'that instance' : 'those instances'} out (enabled_providers, --providers).`,
    }));
  if (issues.length > 0) throw schemaProblems(issues, source.text ?? '', source.displayPath, 'See "sampling" in the configuration reference in README.md.');
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
