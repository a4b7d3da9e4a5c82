import type { ModelRoleDeclaration, RoleSamplings, Sampling } from '../core/types.js';

/**
 * `role`'s sampling this run: the configuration's (`PrepareContext.sampling`: `sampling.<role>` in
 * secrets.json over the declared default), or the declared default alone when the pipeline was
 * prepared without one (a test preparing it by hand).
 */
export function samplingOf(roles: readonly ModelRoleDeclaration[], configured: RoleSamplings | undefined, role: string): Sampling {
  return configured?.[role] ?? roles.find((declared) => declared.name === role)?.defaultSampling ?? {};
}
