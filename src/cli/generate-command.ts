import { ConfigError } from '../core/errors.js';
import { loadConfiguration } from '../config/load-configuration.js';
import { GENERATE_HELP, parseGenerateOptions, type GenerateOptions } from './generate-options.js';
import { loadEnvironment } from './load-environment.js';

export interface CommandIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const processIo = (): CommandIo => ({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });

/** `npm run generate -- --target N`: exit 0 when the target is reached or the run stopped cleanly, 2 on bad configuration. */
export async function runGenerateCommand(argv: readonly string[], io: CommandIo = processIo()): Promise<number> {
  let options: GenerateOptions;
  try {
    options = parseGenerateOptions(argv);
    if (options.help) {
      io.stdout.write(GENERATE_HELP);
      return 0;
    }
    if (!options.offline) {
      // Validate before anything else happens, so a bad configuration writes nothing.
      loadConfiguration({
        cwd: io.cwd,
        env: loadEnvironment(io.cwd, io.env),
        dataDir: options.dataDir,
        configPath: options.configPath,
        only: options.providers,
        baseUrls: options.baseUrls,
      });
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { startGeneration } = await import('../runner/start-generation.js');
  return startGeneration(options, io);
}
