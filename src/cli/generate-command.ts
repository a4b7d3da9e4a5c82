import type { Configuration } from '../config/configuration.js';
import { loadConfiguration } from '../config/load-configuration.js';
import { MissingSecretsError, writeSecretsTemplate } from '../config/secrets-template.js';
import { ConfigError } from '../core/errors.js';
import type { PipelineRegistry } from '../pipelines/pipeline-registry.js';
import { PIPELINES } from '../pipelines/registry.js';
import type { CommandIo } from '../runner/run-options.js';
import { generateHelp, parseGenerateOptions, type GenerateOptions } from './generate-options.js';
import { loadEnvironment } from './load-environment.js';

const processIo = (): CommandIo => ({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });

/**
 * `npm run generate -- --target N`. Exit codes: 0 target reached or stopped cleanly, 1 no provider
 * could serve, 2 bad configuration (reported before anything is written; a first run without any
 * configuration writes only the secrets template; an unknown `--pipeline` too), 3 no provider
 * answered in time, 130 a second signal. `registry`: the pipelines `--pipeline` may name.
 */
export async function runGenerateCommand(argv: readonly string[], io: CommandIo = processIo(), registry: PipelineRegistry = PIPELINES): Promise<number> {
  let options: GenerateOptions;
  let configuration: Configuration | undefined;
  try {
    options = parseGenerateOptions(argv, registry);
    if (options.help) {
      io.stdout.write(generateHelp(registry.get(options.pipeline.name), registry));
      return 0;
    }
    if (!options.offline) {
      configuration = loadConfiguration({
        cwd: io.cwd,
        env: loadEnvironment(io.cwd, io.env),
        dataDir: options.dataDir,
        configPath: options.configPath,
        only: options.providers,
        mcpConfig: options.mcpConfig,
        baseUrls: options.baseUrls,
        roles: options.pipeline.roles,
      });
    }
  } catch (error) {
    if (error instanceof MissingSecretsError) {
      // The first run, as the original tool did it: the template to fill in, and nothing else.
      io.stderr.write(`Configuration error: ${writeSecretsTemplate(error)}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Loaded lazily so that `--help` and configuration errors answer fast, before the SDKs load.
  const { startGeneration } = await import('../runner/start-generation.js');
  return startGeneration(options, io, configuration);
}
