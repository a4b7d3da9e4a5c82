import type { PipelineRoles } from '../core/types.js';
import type { PipelineDefinition, PrepareContext, PreparedPipeline } from './contract.js';

/** The pipeline of this run with its options parsed: what the runner is handed. */
export interface SelectedPipeline {
  readonly name: string;
  readonly version: string;
  /** What configuration checks `models` against and names a model for. */
  readonly roles: PipelineRoles;
  prepare(context: PrepareContext): PreparedPipeline;
}

export function selectPipeline<Options>(definition: PipelineDefinition<Options>, options: Options): SelectedPipeline {
  return {
    name: definition.name,
    version: definition.version,
    roles: { pipeline: definition.name, roles: definition.roles },
    prepare: (context) => definition.prepare(options, context),
  };
}
