/**
 * Whether an output is what the latest run's inputs make, read from its manifest: CURRENT (every
 * line made with the latest prompts and models, target reached), STALE (some lines made with other
 * prompts or models, or a prompt file edited since), PARTIAL (fewer lines than the target). STALE
 * says more than PARTIAL, so it wins when both hold; both are listed in `problems`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { madeWithOtherInputs, madeWithOtherSampling, type DatasetManifest } from './dataset-manifest.js';

export interface DatasetFreshness {
  readonly state: 'CURRENT' | 'STALE' | 'PARTIAL';
  /** Valid lines the manifest counts, and of them those made with other prompts or models. */
  readonly lines: number;
  readonly staleLines: number;
  /**
   * Valid lines made with the latest prompts and models but other sampling settings: not stale
   * (the same recipe, sampled otherwise), but worth knowing when the mix was meant to be one.
   */
  readonly otherSamplingLines: number;
  readonly target: number;
  /** Prompt files whose bytes differ from the hash the latest run recorded. */
  readonly editedPrompts: readonly string[];
  /** One line for people: `STALE: 120 of 500 lines made with other prompts or models`. */
  readonly description: string;
}

/**
 * `promptRoot` resolves the prompts' display names (relative to the repository, or absolute);
 * a prompt that is no longer there is not reported as edited: it may just live elsewhere.
 */
export function describeFreshness(manifest: DatasetManifest, promptRoot: string): DatasetFreshness {
  const current = manifest.combinations.find((entry) => entry.fingerprint === manifest.current);
  const lines = manifest.combinations.reduce((sum, entry) => sum + entry.valid, 0);
  const editedPrompts =
    current === undefined
      ? []
      : Object.entries(current.prompts).flatMap(([name, hash]) => {
          const file = path.resolve(promptRoot, name);
          if (!existsSync(file)) return [];
          return createHash('sha256').update(readFileSync(file)).digest('hex') === hash ? [] : [name];
        });
  const staleLines =
    current === undefined
      ? lines
      : manifest.combinations.reduce((sum, entry) => sum + (editedPrompts.length > 0 || madeWithOtherInputs(entry, current) ? entry.valid : 0), 0);
  const otherSamplingLines =
    current === undefined || editedPrompts.length > 0
      ? 0
      : manifest.combinations.reduce((sum, entry) => sum + (!madeWithOtherInputs(entry, current) && madeWithOtherSampling(entry, current) ? entry.valid : 0), 0);
  const problems: string[] = [];
  if (staleLines > 0) {
    const edited = editedPrompts.length > 0 ? ` (${editedPrompts.join(', ')} edited since the last run)` : '';
    problems.push(`STALE: ${staleLines} of ${lines} lines made with other prompts or models${edited}`);
  }
  if (lines < manifest.target) problems.push(`PARTIAL: ${lines} of ${manifest.target} lines (target not reached)`);
  const state = staleLines > 0 ? 'STALE' : lines < manifest.target ? 'PARTIAL' : 'CURRENT';
  const sampling = otherSamplingLines > 0 ? `; ${otherSamplingLines} of them with other sampling settings` : '';
  const description = problems.length === 0 ? `CURRENT: all ${lines} lines made with the latest prompts and models${sampling}` : `${problems.join('; ')}${sampling}`;
  return { state, lines, staleLines, otherSamplingLines, target: manifest.target, editedPrompts, description };
}
