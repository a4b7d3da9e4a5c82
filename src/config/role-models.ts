import { ConfigError } from '../core/errors.js';
import type { PipelineRoles, ProviderName, ProviderType, RoleModels } from '../core/types.js';

/**
 * One model for every role of the selected pipeline on one provider instance: `providers.<name>.models`
 * over the pipeline's defaults for the instance's type. Checked here, once, against that pipeline's roles, because the
 * schema cannot know them: a role the pipeline does not have is a typo that would silently
 * change nothing, and a role without a model could not be served.
 */
export function resolveRoleModels(
  provider: ProviderName,
  type: ProviderType,
  configured: Readonly<Record<string, string>> | undefined,
  selected: PipelineRoles,
  displayPath: string,
): RoleModels {
  const where = `${displayPath}: providers.${provider}.models`;
  const unknown = unknownRoles(configured, selected);
  if (unknown.length > 0) throw new ConfigError(`${where}: ${describeUnknownRoles(unknown, selected)}`);
  const models: Record<string, string> = {};
  for (const role of selected.roles) {
    if (selected.unused?.includes(role.name) === true) continue;
    const model = configured?.[role.name] ?? role.defaultModels[type];
    if (model === undefined) {
      throw new ConfigError(
        `${where}.${role.name}: the ${selected.pipeline} pipeline's role "${role.name}" (${role.description}) has no default model on ${type}; ` +
          `name one, e.g. "providers": {"${provider}": {"models": {"${role.name}": "<model>"}}}.`,
      );
    }
    models[role.name] = model;
  }
  return models;
}

/** The keys of a per-role setting that name no role of the selected pipeline. */
export function unknownRoles(configured: Readonly<Record<string, unknown>> | undefined, selected: PipelineRoles): string[] {
  return Object.keys(configured ?? {}).filter((key) => !selected.roles.some((role) => role.name === key));
}

/** What a per-role key naming no role of the pipeline is, and how to fix it (models and sampling alike). */
export function describeUnknownRoles(unknown: readonly string[], selected: PipelineRoles): string {
  return (
    `unknown role ${unknown.map((role) => `"${role}"`).join(', ')}; the ${selected.pipeline} pipeline's roles are ${selected.roles.map((role) => role.name).join(', ')}. ` +
    `Rename or remove the key (or choose the pipeline those roles belong to with --pipeline).`
  );
}
