/**
 * A pipeline's own `generate` flags, read from its declared options (src/pipelines/contract.ts):
 * what parseArgs accepts, the values they give, and their lines in `--help`.
 */
import { isSwitch, type PipelineOption } from '../pipelines/contract.js';
import type { AnyPipeline } from '../pipelines/pipeline-registry.js';
import { selectPipeline, type SelectedPipeline } from '../pipelines/selected-pipeline.js';

type FlagType = { readonly type: 'string' | 'boolean' };

function declaredOptions(pipeline: AnyPipeline): [string, PipelineOption<unknown>][] {
  return Object.entries(pipeline.options as Record<string, PipelineOption<unknown>>);
}

/** parseArgs entries for the pipeline's flags; a flag the run already has is the pipeline's mistake. */
export function pipelineParseOptions(pipeline: AnyPipeline, runFlags: Readonly<Record<string, unknown>>): Record<string, FlagType> {
  const entries = declaredOptions(pipeline).map(([, option]): [string, FlagType] => {
    if (option.flag in runFlags) {
      throw new Error(`The ${pipeline.name} pipeline declares --${option.flag}, which is already a flag of generate; rename it.`);
    }
    return [option.flag, { type: isSwitch(option) ? 'boolean' : 'string' }];
  });
  return Object.fromEntries(entries);
}

/** The pipeline's options from the parsed flags: each declared default, or what its flag says (ConfigError when it cannot). */
export function parsePipelineFlags(pipeline: AnyPipeline, values: Readonly<Record<string, unknown>>): SelectedPipeline {
  const parsed: Record<string, unknown> = {};
  for (const [key, option] of declaredOptions(pipeline)) {
    const given = values[option.flag];
    if (isSwitch(option)) parsed[key] = given === true ? option.whenGiven : option.default;
    else parsed[key] = typeof given === 'string' ? option.parse(given) : option.default;
  }
  return selectPipeline(pipeline, parsed);
}

const HELP_COLUMN = 28;

/** The pipeline's section of `generate --help`, aligned with the run's flags above it. */
export function pipelineFlagsHelp(pipeline: AnyPipeline): string {
  const lines = declaredOptions(pipeline).map(([, option]) => {
    const usage = isSwitch(option) ? `--${option.flag}` : `--${option.flag} ${option.valueName}`;
    const defaultText = !isSwitch(option) && option.defaultText !== undefined ? ` (default: ${option.defaultText})` : '';
    return `  ${usage.padEnd(HELP_COLUMN)}${option.help}${defaultText}`;
  });
  const heading = `Options of the ${pipeline.name} pipeline (${pipeline.description}):`;
  return lines.length === 0 ? `${heading} none\n` : `${heading}\n${lines.join('\n')}\n`;
}
