import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import { parseInteger as integer, parseNumber as number } from '../pipelines/option-parsers.js';
import type { AnyPipeline, PipelineRegistry } from '../pipelines/pipeline-registry.js';
import { DEFAULT_PIPELINE, PIPELINES } from '../pipelines/registry.js';
import type { GenerateOptions } from '../runner/run-options.js';
import { PROVIDER_THREAD_MODES, type ProviderThreadMode } from '../runner/provider-threads.js';
import { LOG_FORMATS, type LogFormat } from '../stats/index.js';
import { parsePipelineFlags, pipelineFlagsHelp, pipelineParseOptions } from './pipeline-flags.js';

export type { GenerateOptions };

/** The original tool's default. */
export const DEFAULT_TARGET = 5000;
/** `--quick`, `--standard`, `--large`: the original self-play generator's run sizes, for any pipeline. */
export const TARGET_PRESETS = { quick: 10, standard: 100, large: 1000 } as const;

/** Longer than any default request timeout (a local server's is five minutes), short of a wasted night. */
export const DEFAULT_FIRST_REPLY_TIMEOUT_SECONDS = 600;

/** `generate --help`: the run's flags, then those of the selected pipeline (`--pipeline NAME --help`). */
export function generateHelp(pipeline: AnyPipeline, registry: PipelineRegistry = PIPELINES): string {
  return `Usage: npm run generate -- [--target N] [--pipeline NAME] [options]

Generates N training conversations, resuming from what the output already holds.

  --target N                  conversations the output file should hold at the end (default: ${DEFAULT_TARGET})
  --quick, --standard, --large  --target ${TARGET_PRESETS.quick}, ${TARGET_PRESETS.standard}, ${TARGET_PRESETS.large}
  --pipeline NAME             what to generate: ${registry.names.join(', ')} (default: ${DEFAULT_PIPELINE})
  --data-dir DIR              run state: secrets.json, tools.db, output, logs, status (default: data)
  --config FILE               secrets file to read (default: <data-dir>/secrets.json)
  --output PATH               output JSONL (default: <data-dir>/trainingData/conversations.jsonl;
                              selfplay: selfplay_output.jsonl)
  --providers a,b             use these provider instances for this run (any with a key), instead of enabled_providers
  --mcp-config FILE           MCP servers whose tools a pipeline may use, as in an mcp.json of LM Studio or
                              Claude Desktop ({"mcpServers": {...}}), beside mcpServers in secrets.json
  --concurrency N             conversations in flight (default: automatic, from observed latency)
  --offline                   dry run against an in-process emulator, no keys needed (data dir: data/offline)
  --seed N                    seed of the pipeline's random choices, e.g. simulated users and topics (default: 1)
  --grace-seconds N           on Ctrl+C, time for in-flight conversations to finish (default: 30)
  --progress-interval SECONDS progress record interval (default: 30)
  --conversation-deadline SECONDS  give up on one conversation after this long (default: 900)
  --max-tokens N              stop cleanly after this many tokens (input + output)
  --max-cost USD              stop cleanly when the estimated cost reaches this (needs "prices")
  --max-hours H               stop cleanly after this many hours
  --first-reply-timeout SECONDS  stop with exit code 3 if no provider has answered a single request
                              by then, e.g. a wrong base URL (default: ${DEFAULT_FIRST_REPLY_TIMEOUT_SECONDS}; 0: wait forever)
  --quiet                     terminal shows warnings and progress only
  --verbose                   terminal and log file include debug records
  --log-format pretty|json    terminal output: readable lines, or NDJSON as in the log file (default: pretty)
  --provider-threads auto|on|off  run each provider SDK in a worker thread of its own, beside the
                              conversations (default: auto, on from 100 requests/s in all on 2+ cores)
  --mistral-base-url URL, --together-base-url URL, --huggingface-base-url URL,
  --openai-compatible-base-url URL   override the base URL of the instance named after that type
  --help                      this text

${pipelineFlagsHelp(pipeline)}`;
}

/** The help of the default pipeline's run. */
export const GENERATE_HELP = generateHelp(PIPELINES.get(DEFAULT_PIPELINE));

/** The run's own flags; the selected pipeline's are added to them. */
const RUN_FLAGS = {
  target: { type: 'string' },
  quick: { type: 'boolean', default: false },
  standard: { type: 'boolean', default: false },
  large: { type: 'boolean', default: false },
  pipeline: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  output: { type: 'string' },
  providers: { type: 'string' },
  'mcp-config': { type: 'string' },
  concurrency: { type: 'string' },
  offline: { type: 'boolean', default: false },
  seed: { type: 'string' },
  'grace-seconds': { type: 'string' },
  'progress-interval': { type: 'string' },
  'conversation-deadline': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  'max-hours': { type: 'string' },
  'first-reply-timeout': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  'log-format': { type: 'string' },
  'provider-threads': { type: 'string' },
  'mistral-base-url': { type: 'string' },
  'together-base-url': { type: 'string' },
  'huggingface-base-url': { type: 'string' },
  'openai-compatible-base-url': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/**
 * `--pipeline NAME` first (its flags decide what else is accepted): read loosely, so an unknown
 * flag is reported by the strict pass below, with the pipeline's flags known.
 */
function choosePipeline(argv: readonly string[], registry: PipelineRegistry): AnyPipeline {
  const { values } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, options: { pipeline: { type: 'string' } } });
  const name = values.pipeline;
  if (name === undefined) return registry.get(DEFAULT_PIPELINE);
  if (typeof name !== 'string' || name === '') throw new ConfigError(`--pipeline expects a name: ${registry.names.join(', ')}.`);
  return registry.get(name);
}

/** For a flag another pipeline declares (`--judge` with `--pipeline selfplay`): whose it is, since `--help` lists only the selected pipeline's. */
function otherPipelineHint(error: unknown, pipeline: AnyPipeline, registry: PipelineRegistry): string {
  if ((error as { code?: unknown }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const flag = /'--([^'=]+)/.exec((error as Error).message)?.[1];
  if (flag === undefined) return '';
  const owners = registry.names.filter((name) => name !== pipeline.name && Object.values(registry.get(name).options as Record<string, { flag: string }>).some((option) => option.flag === flag));
  return owners.length === 0 ? '' : `: it is a flag of the ${owners.join(' and ')} pipeline, and this run's pipeline is ${pipeline.name} (--pipeline ${owners[0]} to use it)`;
}

export function parseGenerateOptions(argv: readonly string[], registry: PipelineRegistry = PIPELINES): GenerateOptions {
  const pipeline = choosePipeline(argv, registry);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { ...pipelineParseOptions(pipeline, RUN_FLAGS), ...RUN_FLAGS },
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}${otherPipelineHint(error, pipeline, registry)}\nRun with --help to see every flag.`);
  }
  const selected = parsePipelineFlags(pipeline, values);
  if (values.help) return { ...defaults(), target: 0, pipeline: selected, help: true };
  if (values.quiet && values.verbose) throw new ConfigError('--quiet and --verbose cannot be used together.');
  const base = defaults();
  return {
    ...base,
    target: chooseTarget(values),
    dataDir: values['data-dir'],
    configPath: values.config,
    output: values.output,
    providers: values.providers?.split(',').map((name) => name.trim()).filter(Boolean),
    mcpConfig: values['mcp-config'],
    concurrency: optional(values.concurrency, (text) => integer('--concurrency', text, 1)),
    offline: values.offline,
    pipeline: selected,
    seed: optional(values.seed, (text) => integer('--seed', text, 0)) ?? base.seed,
    graceSeconds: optional(values['grace-seconds'], (text) => number('--grace-seconds', text, 0)) ?? base.graceSeconds,
    progressIntervalSeconds: optional(values['progress-interval'], (text) => number('--progress-interval', text, 0.1)) ?? base.progressIntervalSeconds,
    conversationDeadlineSeconds: optional(values['conversation-deadline'], (text) => number('--conversation-deadline', text, 1)) ?? base.conversationDeadlineSeconds,
    maxTokens: optional(values['max-tokens'], (text) => integer('--max-tokens', text, 1)),
    maxCost: optional(values['max-cost'], (text) => number('--max-cost', text, 0.000001)),
    maxHours: optional(values['max-hours'], (text) => number('--max-hours', text, 0.000001)),
    firstReplyTimeoutSeconds: optional(values['first-reply-timeout'], (text) => number('--first-reply-timeout', text, 0)) ?? base.firstReplyTimeoutSeconds,
    logLevel: values.verbose ? 'debug' : values.quiet ? 'warn' : 'info',
    logFormat: optional(values['log-format'], parseLogFormat) ?? base.logFormat,
    providerThreads: optional(values['provider-threads'], parseProviderThreads) ?? base.providerThreads,
    baseUrls: stripUndefined({
      mistral: values['mistral-base-url'],
      together: values['together-base-url'],
      huggingface: values['huggingface-base-url'],
      openai_compatible: values['openai-compatible-base-url'],
    }),
    help: false,
  };
}

/** Every default in one place: `--help` returns them, and each flag falls back to its own. */
function defaults(): Omit<GenerateOptions, 'target' | 'help' | 'pipeline'> {
  return {
    offline: false,
    seed: 1,
    graceSeconds: 30,
    progressIntervalSeconds: 30,
    conversationDeadlineSeconds: 900,
    firstReplyTimeoutSeconds: DEFAULT_FIRST_REPLY_TIMEOUT_SECONDS,
    logLevel: 'info',
    logFormat: 'pretty',
    providerThreads: 'auto',
    baseUrls: {},
  };
}

/** `--target N` or one preset; two ways of saying it at once would leave one of them ignored. */
function chooseTarget(values: { target?: string; quick: boolean; standard: boolean; large: boolean }): number {
  const presets = (Object.keys(TARGET_PRESETS) as (keyof typeof TARGET_PRESETS)[]).filter((name) => values[name]);
  const given = [...(values.target === undefined ? [] : [`--target ${values.target}`]), ...presets.map((name) => `--${name}`)];
  if (given.length > 1) {
    throw new ConfigError(
      `${given.join(' and ')} both set the target; expected one of them. ` +
        `--quick is --target ${TARGET_PRESETS.quick}, --standard --target ${TARGET_PRESETS.standard}, --large --target ${TARGET_PRESETS.large}: keep the one you mean.`,
    );
  }
  const preset = presets[0];
  if (preset !== undefined) return TARGET_PRESETS[preset];
  return optional(values.target, (text) => integer('--target', text, 1)) ?? DEFAULT_TARGET;
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

function parseLogFormat(text: string): LogFormat {
  const format = LOG_FORMATS.find((candidate) => candidate === text);
  if (format === undefined) throw new ConfigError(`--log-format expects ${LOG_FORMATS.join(' or ')}, got "${text}".`);
  return format;
}

function stripUndefined<T extends Record<string, string | undefined>>(value: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<Record<keyof T, string>>;
}

function parseProviderThreads(text: string): ProviderThreadMode {
  const mode = PROVIDER_THREAD_MODES.find((candidate) => candidate === text);
  if (mode === undefined) throw new ConfigError(`--provider-threads expects ${PROVIDER_THREAD_MODES.join(', ')}, got "${text}".`);
  return mode;
}
