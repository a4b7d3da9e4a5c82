import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Emulator, EmulatorProviderOptions } from '../../src/emulator/index.js';
import type { ProviderType } from '../../src/core/types.js';
import { reapOnExit } from './child-reaper.js';
import { MAIN } from './run-cli.js';

/** Models named after their role, so the emulator's scripted model plays it. */
export const EMULATOR_MODELS = { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' };

/** Distinctive fake keys: tests grep every output for them. */
export const TEST_KEYS: Readonly<Record<Exclude<ProviderType, 'openai_compatible'>, string>> = {
  mistral: 'mistral-test-key-5f1c2b9a7e',
  together: 'together-test-key-0d8e4a6c3b',
  huggingface: 'hf_test_key_9a7b5c3d1e',
};

export interface TestProvider {
  readonly requestsPerSecond: number;
  /** Emulator behaviour for this provider (its rate limit defaults to the same rate). */
  readonly emulator?: EmulatorProviderOptions;
  readonly timeoutMs?: number;
}

/**
 * Writes `<dataDir>/secrets.json` for providers served by the emulator, configures the emulator to
 * enforce the same rates, and returns the environment a daemon needs to reach it.
 */
export function prepareDaemonData(
  dataDir: string,
  emulator: Emulator,
  providers: Partial<Record<Exclude<ProviderType, 'openai_compatible'>, TestProvider>>,
  extra: Record<string, unknown> = {},
): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  const names = Object.keys(providers) as Exclude<ProviderType, 'openai_compatible'>[];
  const overrides: Record<string, unknown> = {};
  for (const name of names) {
    const provider = providers[name]!;
    overrides[name] = { requests_per_second: provider.requestsPerSecond, models: EMULATOR_MODELS, timeout_ms: provider.timeoutMs ?? 10_000 };
    emulator.configure(name, { requestsPerSecond: provider.requestsPerSecond, ...provider.emulator });
  }
  return writeEmulatorSecrets(dataDir, emulator, names, { providers: overrides, ...extra });
}

/**
 * Writes `<dataDir>/secrets.json` with the test keys, `enabled` and `fields`, and returns the
 * environment pointing each SDK at the emulator (an OpenAI-compatible instance's too, when enabled).
 */
export function writeEmulatorSecrets(dataDir: string, emulator: Emulator, enabled: readonly ProviderType[], fields: Record<string, unknown>): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    mistral_api_key: TEST_KEYS.mistral,
    together_api_key: TEST_KEYS.together,
    huggingface_api_key: TEST_KEYS.huggingface,
    enabled_providers: enabled,
    ...fields,
  };
  writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(secrets, null, 2));
  return {
    MISTRAL_BASE_URL: emulator.baseUrls.mistral,
    TOGETHER_BASE_URL: emulator.baseUrls.together,
    HF_BASE_URL: emulator.baseUrls.huggingface,
    ...(enabled.includes('openai_compatible') ? { OPENAI_COMPATIBLE_BASE_URL: emulator.baseUrls.openai_compatible } : {}),
  };
}

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** Everything printed so far (stdout + stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `predicate` holds for the output, polling; rejects after `timeoutMs`. */
  waitForOutput(predicate: (output: string) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * `nightshift generate <args>` as a real child process, the command `npm run generate` runs. Its
 * terminal is a pipe that the tests parse, so it prints NDJSON (`--log-format json`) unless `args`
 * chooses a format or `defaultLogFormat` asks for what a person gets without the flag.
 */
export function spawnDaemon(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; defaultLogFormat?: boolean },
): DaemonProcess {
  const format = args.includes('--log-format') || options.defaultLogFormat === true ? [] : ['--log-format', 'json'];
  const child = spawn(process.execPath, [MAIN, 'generate', ...format, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  reapOnExit(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(output)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for daemon output; got:\n${output.slice(-3000)}`);
        if (child.exitCode !== null) throw new Error(`daemon exited (${child.exitCode}) before the expected output:\n${output.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Parsed NDJSON records of the daemon's latest log. */
export function readLogRecords(dataDir: string): Record<string, unknown>[] {
  const file = path.join(dataDir, 'logs', 'latest.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Lines of the output file, each parsed. */
export function readConversations(outputFile: string): { id: string; conversations: { role: string; content: string }[]; metadata: Record<string, unknown> }[] {
  if (!existsSync(outputFile)) return [];
  const text = readFileSync(outputFile, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** Spawns daemons and, after each test, SIGKILLs any still running, so a failed test never leaves one behind. */
export function daemonTracker(): { spawn: typeof spawnDaemon; killLeftovers(): Promise<void> } {
  const daemons: DaemonProcess[] = [];
  return {
    spawn(args, options) {
      const daemon = spawnDaemon(args, options);
      daemons.push(daemon);
      return daemon;
    },
    async killLeftovers() {
      for (const daemon of daemons.splice(0)) {
        if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) continue;
        daemon.child.kill('SIGKILL');
        await daemon.exited;
      }
    },
  };
}
