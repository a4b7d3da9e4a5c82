/**
 * Every pipeline `--pipeline NAME` can select, one line each. Adding a pipeline: its own folder
 * under src/pipelines/ exporting a PipelineDefinition (contract.ts), and one line here.
 */
import { adaPipeline } from './ada/index.js';
import { PipelineRegistry } from './pipeline-registry.js';
import { selfplayPipeline } from './selfplay/index.js';

export const PIPELINES = new PipelineRegistry([
  adaPipeline,
  selfplayPipeline,
]);

/** What `generate` runs without `--pipeline`: the original tool's conversations. */
export const DEFAULT_PIPELINE = adaPipeline.name;
