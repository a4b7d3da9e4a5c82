import { ConfigError } from '../core/errors.js';
import type { PipelineDefinition } from './contract.js';

/** Any pipeline, whatever its options: the registry hands it to code that reads its declarations. */
export type AnyPipeline = PipelineDefinition<any>;

/** The pipelines `--pipeline` can name, by name. */
export class PipelineRegistry {
  readonly #byName: ReadonlyMap<string, AnyPipeline>;

  constructor(pipelines: readonly AnyPipeline[]) {
    const byName = new Map<string, AnyPipeline>();
    for (const pipeline of pipelines) {
      if (byName.has(pipeline.name)) throw new Error(`Two pipelines are registered as "${pipeline.name}"; each needs its own name.`);
      byName.set(pipeline.name, pipeline);
    }
    this.#byName = byName;
  }

  get names(): readonly string[] {
    return [...this.#byName.keys()];
  }

  /** The pipeline called `name`; a ConfigError listing the known ones when there is none. */
  get(name: string): AnyPipeline {
    const pipeline = this.#byName.get(name);
    if (pipeline === undefined) {
      const known = [...this.#byName.values()].map((entry) => `  - ${entry.name}: ${entry.description}`);
      throw new ConfigError(`--pipeline: unknown pipeline "${name}"; known pipelines:\n${known.join('\n')}`);
    }
    return pipeline;
  }

  /** This registry plus `pipeline` (a test's own pipeline, say), leaving this one as it is. */
  with(pipeline: AnyPipeline): PipelineRegistry {
    return new PipelineRegistry([...this.#byName.values(), pipeline]);
  }
}
