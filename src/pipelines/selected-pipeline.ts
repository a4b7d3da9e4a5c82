import type { PipelineRoles } from '../core/types.js';
import type { PipelineDefinition, PrepareContext, PreparedPipeline } from './contract.js';

/** Where a pipeline's conversations go unless it names its own file (Ada's, as the original tool). */
export const DEFAULT_OUTPUT_FILE_NAME = 'conversations.jsonl';

/** The pipeline of this run with its options parsed: what the runner is handed. */
export interface SelectedPipeline {
  readonly name: string;
  readonly version: string;
  /** What configuration checks `models` against and names a model for. */
  readonly roles: PipelineRoles;
  /** The output's file name under `<data-dir>/trainingData/` when `--output` is not given. */
  readonly outputFileName: string;
  prepare(context: PrepareContext): PreparedPipeline;
}

export function selectPipeline<Options>(definition: PipelineDefinition<Options>, options: Options): SelectedPipeline {
  return {
    name: definition.name,
    version: definition.version,
    roles: { pipeline: definition.name, roles: definition.roles, unused: definition.unusedRoles?.(options) ?? [] },
    outputFileName: definition.outputFileName ?? DEFAULT_OUTPUT_FILE_NAME,
    prepare: (context) => definition.prepare(options, context),
  };
}
