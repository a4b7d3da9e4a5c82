/**
 * The manifest beside the output (`<output stem>.manifest.json`): what produced the dataset. One
 * entry per combination of pipeline version, prompt hashes, models per provider and role, and
 * sampling, with how many valid and invalid lines each made; `current` names the combination of
 * the latest run. Written whole to a temporary file, fsynced, then renamed over the old one, so a
 * crash leaves the previous manifest or the new one, never half of either.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';

const combinationSchema = z.object({
  pipeline: z.object({ name: z.string(), version: z.string() }),
  /** Input file display name -> SHA-256. */
  prompts: z.record(z.string(), z.string()),
  /** Provider instance -> role -> model. */
  models: z.record(z.string(), z.record(z.string(), z.string())),
  sampling: z.record(z.string(), z.unknown()),
  /**
   * Tool name -> fingerprint of its definition (description and parameters) as the model was
   * offered it: an MCP server that now offers other tools changes the data as a prompt does.
   * Absent in manifests written before it was recorded, and then not compared.
   */
  tools: z.record(z.string(), z.string()).optional(),
});

export type RunCombination = z.infer<typeof combinationSchema>;

const entrySchema = combinationSchema.extend({
  fingerprint: z.string(),
  firstUsed: z.string(),
  lastUsed: z.string(),
  valid: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
});

export type ManifestEntry = z.infer<typeof entrySchema>;

const manifestSchema = z.object({
  manifestVersion: z.literal(1),
  output: z.string(),
  target: z.number().int().nonnegative(),
  updatedAt: z.string(),
  current: z.string(),
  combinations: z.array(entrySchema),
});

export type DatasetManifest = z.infer<typeof manifestSchema>;

/** Lines saved before the output had a manifest: nobody knows what made them. */
export const UNKNOWN_FINGERPRINT = 'unknown';

/** Key order never changes a fingerprint: the same combination always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(combination: RunCombination): string {
  return createHash('sha256').update(canonicalJson(combination)).digest('hex').slice(0, 16);
}

/** `RunCombination.tools` for the tools a run offers, each definition hashed whatever its key order. */
export function fingerprintTools(tools: readonly { readonly function: { readonly name: string } }[]): Record<string, string> {
  return Object.fromEntries(tools.map((tool) => [tool.function.name, createHash('sha256').update(canonicalJson(tool)).digest('hex').slice(0, 16)]));
}

export type ManifestRead = { readonly kind: 'absent' } | { readonly kind: 'unreadable'; readonly reason: string } | { readonly kind: 'read'; readonly manifest: DatasetManifest };

export function readManifest(file: string): ManifestRead {
  if (!existsSync(file)) return { kind: 'absent' };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { kind: 'unreadable', reason: `not JSON (${(error as Error).message})` };
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'unreadable', reason: `not a manifest${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'read', manifest: parsed.data };
}

export function writeManifest(file: string, manifest: DatasetManifest): void {
  const temporary = `${file}.tmp`;
  const descriptor = openSync(temporary, 'w');
  try {
    writeSync(descriptor, `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, file);
}

/** What differs between two combinations, in words for a warning: `prompt systemprompts/ada.md changed`, … */
export function describeChanges(before: RunCombination, after: RunCombination): string[] {
  const changes: string[] = [];
  // Another pipeline has other prompts and roles altogether: listing each would bury the one change that matters.
  if (before.pipeline.name !== after.pipeline.name) return [`pipeline ${before.pipeline.name} → ${after.pipeline.name}`];
  if (before.pipeline.version !== after.pipeline.version) changes.push(`pipeline version ${before.pipeline.version} → ${after.pipeline.version}`);
  for (const name of new Set([...Object.keys(before.prompts), ...Object.keys(after.prompts)])) {
    const was = before.prompts[name];
    const now = after.prompts[name];
    if (was === now) continue;
    changes.push(was === undefined ? `prompt ${name} added` : now === undefined ? `prompt ${name} no longer used` : `prompt ${name} changed`);
  }
  for (const instance of new Set([...Object.keys(before.models), ...Object.keys(after.models)])) {
    const was = before.models[instance];
    const now = after.models[instance];
    if (was === undefined || now === undefined) {
      changes.push(was === undefined ? `provider ${instance} added` : `provider ${instance} no longer used`);
      continue;
    }
    for (const role of new Set([...Object.keys(was), ...Object.keys(now)])) {
      if (was[role] !== now[role]) changes.push(`${instance} ${role} model ${was[role] ?? 'none'} → ${now[role] ?? 'none'}`);
    }
  }
  if (before.tools !== undefined && after.tools !== undefined) {
    for (const name of new Set([...Object.keys(before.tools), ...Object.keys(after.tools)])) {
      const was = before.tools[name];
      const now = after.tools[name];
      if (was === now) continue;
      changes.push(was === undefined ? `tool ${name} added` : now === undefined ? `tool ${name} no longer offered` : `tool ${name} changed`);
    }
  }
  if (madeWithOtherSampling(before, after)) changes.push('sampling settings changed');
  return changes;
}

/** Whether lines of `entry` were made with other prompts or models than `current` (sampling alone does not make them stale). */
export function madeWithOtherInputs(entry: RunCombination & { fingerprint: string }, current: RunCombination): boolean {
  if (entry.fingerprint === UNKNOWN_FINGERPRINT) return true;
  return describeChanges({ ...entry, sampling: {} }, { ...current, sampling: {} }).length > 0;
}

/**
 * Whether lines of `entry` were sampled otherwise than `current`'s: compared by the sampling itself,
 * not by fingerprint, which also differs when only what is recorded grew (tools).
 */
export function madeWithOtherSampling(entry: RunCombination, current: RunCombination): boolean {
  return canonicalJson(entry.sampling) !== canonicalJson(current.sampling);
}
