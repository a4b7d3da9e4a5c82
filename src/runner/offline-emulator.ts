import type { Configuration } from '../config/configuration.js';
import { createOfflineConfiguration } from '../config/offline-configuration.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import type { GenerateOptions } from './run-options.js';

/**
 * `--offline`: an in-process emulator stands in for every provider, at the same rates the dry-run
 * configuration paces to, with realistic latency and a few faults so retries show in the log.
 */
export async function startOfflineEmulator(options: GenerateOptions, cwd: string): Promise<{ emulator: Emulator; configuration: Configuration }> {
  const emulator = await startEmulator({
    seed: options.seed,
    defaults: { latency: { medianMs: 400, sigma: 0.5 }, faults: { rate429: 0.02, rate500: 0.01 } },
  });
  let configuration: Configuration;
  try {
    configuration = createOfflineConfiguration({
      cwd,
      dataDir: options.dataDir,
      baseUrls: emulator.baseUrls,
      only: options.providers,
      roles: options.pipeline.roles,
      mcpConfig: options.mcpConfig,
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  for (const provider of configuration.providers) {
    emulator.configure(provider.type, {
      requestsPerSecond: provider.requestsPerSecond,
      latency: { medianMs: 400, sigma: 0.5 },
      faults: { rate429: 0.02, rate500: 0.01 },
    });
  }
  return { emulator, configuration };
}
