import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Configuration, ConfigurationInput } from '../../src/config/configuration.js';
import { loadConfiguration } from '../../src/config/load-configuration.js';
import { ADA_ROLES } from '../../src/pipelines/ada/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export interface SecretsWorkspace {
  /** Writes `data/secrets.json` with exactly this text (line and column positions are the test's). */
  writeSecrets(text: string): void;
  /** `loadConfiguration` run in the workspace with this environment and these extra inputs (Ada's roles unless `roles` says otherwise). */
  load(env?: Record<string, string>, extra?: Partial<ConfigurationInput>): Configuration;
}

/** A working directory with an empty `data/`, fresh for each test of the calling `describe`. */
export function useSecretsWorkspace(): SecretsWorkspace {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
    mkdirSync(path.join(workspace.path, 'data'));
  });
  afterEach(() => workspace.cleanup());
  return {
    writeSecrets: (text) => writeFileSync(path.join(workspace.path, 'data/secrets.json'), text),
    load: (env = {}, extra = {}) => loadConfiguration({ cwd: workspace.path, env, roles: { pipeline: 'ada', roles: ADA_ROLES }, ...extra }),
  };
}
