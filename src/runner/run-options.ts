import type { ProviderType } from '../core/types.js';
import type { SelectedPipeline } from '../pipelines/selected-pipeline.js';
import type { LogFormat } from '../stats/index.js';
import type { ProviderThreadMode } from './provider-threads.js';

/** Every flag of `generate`, parsed and checked; documented in README.md and `--help`. */
export interface GenerateOptions {
  readonly target: number;
  readonly dataDir?: string;
  readonly configPath?: string;
  readonly output?: string;
  readonly providers?: readonly string[];
  /** `--mcp-config FILE`: an mcp.json whose servers' tools pipelines may use. */
  readonly mcpConfig?: string;
  /** Conversations in flight; undefined = chosen from observed latency. */
  readonly concurrency?: number;
  readonly offline: boolean;
  /** `--pipeline NAME` (default `ada`) with its own flags parsed. */
  readonly pipeline: SelectedPipeline;
  /** Seeds the pipeline's random choices and the dry run's emulator. */
  readonly seed: number;
  readonly graceSeconds: number;
  readonly progressIntervalSeconds: number;
  readonly conversationDeadlineSeconds: number;
  readonly maxTokens?: number;
  readonly maxCost?: number;
  readonly maxHours?: number;
  /** Stop (exit 3) when no provider has answered a single request after this long; 0 never. */
  readonly firstReplyTimeoutSeconds: number;
  readonly logLevel: 'debug' | 'info' | 'warn';
  /** The terminal's format; the log file is NDJSON either way. */
  readonly logFormat: LogFormat;
  /** `--provider-threads`: each provider SDK in a worker thread of its own (`on`), in the main thread (`off`), or by the configured rates (`auto`). */
  readonly providerThreads: ProviderThreadMode;
  readonly baseUrls: Readonly<Partial<Record<ProviderType, string>>>;
  readonly help: boolean;
}

/** What a run needs of the process it runs in. */
export interface CommandIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}
