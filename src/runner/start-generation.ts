import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Configuration } from '../config/configuration.js';
import { checkPreparedSampling } from '../config/role-sampling.js';
import { ConfigError } from '../core/errors.js';
import { Dispatcher } from '../dispatcher/index.js';
import type { AdapterLoading } from '../providers/load-adapters.js';
import { chooseProviderThreads, openAdapters, type ProviderThreadChoice } from './provider-threads.js';
import { ProgressReporter, RunStats, costCapProblem, createLogger, createRunId, statusFilePath, type RunLogger } from '../stats/index.js';
import { ConversationStore, InvalidOutput, REJECTS_FILE_NAME, RejectsFile } from '../store/index.js';
import { createRedactor } from '../core/redact.js';
import type { OpenedPipeline, PreparedPipeline, ResourceContext } from '../pipelines/contract.js';
import { ConversationRunner, type RunOutcome } from './conversation-runner.js';
import { RunManifest } from './run-manifest.js';
import { eventLoopBusyShare } from './event-loop-busy-share.js';
import { NO_REPLY_EXIT_CODE, watchFirstReply } from './first-reply-watch.js';
import type { startOfflineEmulator } from './offline-emulator.js';
import { announceSpentProviders, openMonthlyBudget, sendNothing, type OpenedMonthlyBudget } from './open-monthly-budget.js';
import type { CommandIo, GenerateOptions } from './run-options.js';
import { acquireRunLock } from './run-lock.js';
import { handleShutdownSignals, holdEarlySignals, startGracePeriod, type StopSignals } from './shutdown-signals.js';

/** Where the daemon keeps what it needs between runs. */
export function runPaths(configuration: Configuration, options: GenerateOptions, cwd: string) {
  const dataDir = configuration.dataDir;
  return {
    dataDir,
    output: path.resolve(cwd, options.output ?? path.join(dataDir, 'trainingData', options.pipeline.outputFileName)),
    logs: path.join(dataDir, 'logs'),
    status: statusFilePath(dataDir),
  };
}

/**
 * One generation run, from a validated configuration to exactly `target` conversations on disk
 * (or a clean stop). Exit code: 0 target reached or stopped cleanly, 1 no provider could serve
 * or the output/database cannot be written, 2 configuration error (another daemon on the same data
 * directory included), 3 no provider answered a single request in time, 130 stopped at once by a
 * second signal. A spent monthly budget is a clean stop (0).
 */
export async function startGeneration(options: GenerateOptions, io: CommandIo, loaded?: Configuration): Promise<number> {
  let offline: Awaited<ReturnType<typeof startOfflineEmulator>> | undefined;
  let adapters: AdapterLoading | undefined;
  const early = holdEarlySignals();
  try {
    let pipeline: PreparedPipeline;
    let configuration: Configuration | undefined;
    try {
      // The emulator's 34 modules load for a dry run only.
      offline = options.offline ? await (await import('./offline-emulator.js')).startOfflineEmulator(options, io.cwd) : undefined;
      configuration = offline?.configuration ?? loaded;
      if (!configuration) throw new ConfigError('No configuration was loaded.');
      pipeline = options.pipeline.prepare({ cwd: io.cwd, seed: options.seed, dryRun: options.offline, mcpServers: configuration.mcpServers, sampling: configuration.sampling });
      // A dry run's emulator accepts any temperature: only a real run's providers are checked.
      if (!options.offline) checkPreparedSampling(options.pipeline.name, pipeline.inputs?.sampling ?? {}, configuration.providers);
    } catch (error) {
      if (error instanceof ConfigError) return configurationError(io, error.message);
      throw error;
    }
    // The SDKs load while the store, the tool database and the budget ledger open.
    const threads = chooseProviderThreads(options.providerThreads, configuration.providers.map((provider) => provider.requestsPerSecond));
    adapters = openAdapters(configuration.providers.map((provider) => provider.type), threads.threaded);
    const models = configuration.providers.flatMap((provider) => Object.values(provider.models));
    const costProblem = costCapProblem(options.maxCost, models, configuration.prices);
    if (costProblem !== null) return configurationError(io, costProblem);
    const paths = runPaths(configuration, options, io.cwd);
    mkdirSync(paths.dataDir, { recursive: true });
    let locks: { release(): void }[];
    try {
      locks = acquireRunLocks(paths);
    } catch (error) {
      if (error instanceof ConfigError) return configurationError(io, error.message);
      throw error;
    }
    const runLogger = createLogger({
      logDirectory: paths.logs,
      runId: createRunId(),
      level: options.logLevel,
      format: options.logFormat,
      terminal: io.stdout,
      secrets: configuration.secrets,
    });
    try {
      return await generate({ options, configuration, pipeline, paths, runLogger, dryRun: offline !== undefined, signals: early, adapters, threads });
    } catch (error) {
      // Some configuration can only be checked once a pipeline opens its resources (an MCP server
      // that cannot start, a prompt set naming a tool no server offers): still exit 2, not a crash.
      if (!(error instanceof ConfigError)) throw error;
      runLogger.logger.error({}, `configuration error: ${error.message}`);
      return configurationError(io, error.message);
    } finally {
      await runLogger.close();
      for (const lock of locks) lock.release();
    }
  } finally {
    early.dispose();
    await adapters?.close();
    await offline?.emulator.close();
  }
}

/** Says what is wrong with the configuration, before any log exists; exit code 2. */
function configurationError(io: CommandIo, message: string): number {
  io.stderr.write(`Configuration error: ${message}\n`);
  return 2;
}

/** The data directory, and the output too when it lives elsewhere. */
function acquireRunLocks(paths: ReturnType<typeof runPaths>): { release(): void }[] {
  const locks = [acquireRunLock(path.join(paths.dataDir, 'daemon.lock'), `the data directory ${paths.dataDir}`)];
  const outside = !paths.output.startsWith(paths.dataDir + path.sep);
  // A device (a pipe, /dev/full in tests) is no file two daemons could both append to.
  const regularFile = !existsSync(paths.output) || statSync(paths.output).isFile();
  if (outside && regularFile) {
    try {
      mkdirSync(path.dirname(paths.output), { recursive: true });
      locks.push(acquireRunLock(`${paths.output}.lock`, `the output ${paths.output}`));
    } catch (error) {
      locks[0]!.release();
      throw error;
    }
  }
  return locks;
}

interface GenerateContext {
  readonly options: GenerateOptions;
  readonly configuration: Configuration;
  /** The selected pipeline, its options read; its resources are opened once the output is. */
  readonly pipeline: PreparedPipeline;
  readonly paths: ReturnType<typeof runPaths>;
  readonly runLogger: RunLogger;
  readonly dryRun: boolean;
  /** Stop signals for the whole command: held during start-up, routed to the run's handler while it runs. */
  readonly signals: StopSignals;
  /** The configured providers' SDKs, loading since the configuration was read. */
  readonly adapters: AdapterLoading;
  /** Whether they load in worker threads, and why. */
  readonly threads: ProviderThreadChoice;
}

async function generate(context: GenerateContext): Promise<number> {
  const { options, configuration, paths, runLogger } = context;
  const logger = runLogger.logger;
  const providerList = configuration.providers.map((provider) => `${provider.name} (${provider.requestsPerSecond} req/s)`).join(', ');
  logger.info(
    {
      target: options.target,
      pipeline: options.pipeline.name,
      dryRun: context.dryRun,
      providers: configuration.providers.map((provider) => provider.name),
      output: paths.output,
      logFile: runLogger.logFile,
      providerThreads: context.threads.threaded,
    },
    context.dryRun
      ? `DRY RUN (--offline): every provider is the built-in emulator, nothing is sent anywhere; target ${options.target} via ${providerList}; ${context.threads.reason}`
      : `starting: target ${options.target} via ${providerList}; ${context.threads.reason}`,
  );
  logger.debug({ models: Object.fromEntries(configuration.providers.map((provider) => [provider.name, provider.models])) }, 'models per provider and role');
  for (const warning of configuration.warnings) logger.warn(warning);
  // The original tool wrote a JSON array; a name ending in .json suggests that is what is expected.
  if (paths.output.toLowerCase().endsWith('.json')) {
    logger.warn({ output: paths.output }, `${paths.output} will be JSON Lines (one conversation per line), not a JSON array; for the original tool's JSON array run: npm run export -- --format json --input ${paths.output} --output <file.json>`);
  }

  // A new output that stays empty because the pipeline cannot open (a prompt set naming a tool no
  // server offers) is removed again, so a fixed configuration does not find a stray empty file.
  const outputIsNew = !existsSync(paths.output);
  const { store, recovery } = await ConversationStore.open(paths.output);
  if (recovery.truncatedBytes > 0) {
    logger.warn({ bytes: recovery.truncatedBytes, tornLine: recovery.tornLine }, 'cut a torn last line from the output (a crash mid-write); that conversation was never saved');
  }
  logger.info(
    { saved: store.count, target: options.target },
    store.count === 0 ? `new output: ${paths.output}` : `resuming: ${store.count} conversations already saved in ${paths.output}`,
  );
  const targetReached = store.count >= options.target;
  const resources: ResourceContext = {
    dataDir: paths.dataDir,
    logger,
    alreadySaved: store.count,
    isSaved: (conversationId) => store.has(conversationId),
    output: paths.output,
  };
  let opened: OpenedPipeline | undefined;
  let monthly: OpenedMonthlyBudget | undefined;
  try {
    if (targetReached) {
      // Also when there is nothing left to do: a crash may have left side effects of conversations
      // that were never saved (Ada's tool rows), and they must match the conversations that exist.
      await context.pipeline.recover?.(resources);
      logger.info({ saved: store.count, target: options.target, output: paths.output }, `target already reached: ${store.count}/${options.target} conversations in ${paths.output}; nothing to do`);
      return 0;
    }
    opened = await context.pipeline.open(resources);
    // The dry run spends nothing real and keeps no ledger.
    monthly = context.dryRun ? undefined : openMonthlyBudget({ configuration, logger });
    if (monthly?.nothingToSend !== undefined) {
      const stats = new RunStats({ target: options.target, alreadySaved: store.count, prices: configuration.prices });
      const { status: statusFile, output: outputPath } = paths;
      return await sendNothing({ reason: monthly.nothingToSend, logger, stats, statusFile, outputPath, logFile: context.runLogger.logFile });
    }
    return await runToTarget(context, store, opened, monthly);
  } finally {
    await store.close();
    await opened?.close();
    monthly?.close();
    if (opened === undefined && outputIsNew && !targetReached) rmSync(paths.output, { force: true });
  }
}

async function runToTarget(
  context: GenerateContext,
  store: ConversationStore,
  pipeline: OpenedPipeline,
  monthly: OpenedMonthlyBudget | undefined,
): Promise<number> {
  const { options, configuration, paths, runLogger } = context;
  const logger = runLogger.logger;
  const stats = new RunStats({
    target: options.target,
    alreadySaved: store.count,
    prices: configuration.prices,
    // Read at each snapshot, after the dispatcher below exists.
    paces: () => dispatcher.providerPaces(),
  });
  // Bound below; replies only arrive once the run has started.
  let reporter: ProgressReporter | undefined;
  announceSpentProviders(monthly, stats, logger);
  let noReply: string | undefined;
  const firstReply = watchFirstReply({
    timeoutMs: options.firstReplyTimeoutSeconds * 1000,
    startAfter: context.adapters.loaded,
    providerStates: () => dispatcher.providerStates(),
    onTimeout: (reason) => {
      noReply = reason;
      logger.error({ reason }, `stopping: ${reason}`);
      runner.drain(reason);
      void reporter?.drain(reason);
      runner.abortAll(reason);
    },
  });
  const dispatcher = new Dispatcher({
    providers: configuration.providers.filter((settings) => !monthly?.spentProviders.has(settings.name)).map((settings) => ({
      provider: context.adapters.deferred(settings.type, { name: settings.name, apiKey: settings.apiKey, baseUrl: settings.baseUrl }),
      models: settings.models,
      requestsPerSecond: settings.requestsPerSecond,
      tokensPerMinute: settings.tokensPerMinute,
      maxConcurrency: settings.maxConcurrency,
      timeoutMs: settings.timeoutMs,
      pacingMarginMs: settings.pacingMarginMs,
    })),
    // The emulator answers in about 0.4 s; assuming the real providers' 5 s before the first
    // replies would open far more conversations than the dry run can keep moving.
    expectedLatencyMs: context.dryRun ? 500 : undefined,
    busyShare: eventLoopBusyShare(),
    budget: monthly?.gate,
    onEvent: (event) => {
      stats.onDispatchEvent(event);
      if (event.type === 'request-start') reporter?.requestStarted();
      if (event.type !== 'request-end') return;
      firstReply.answered();
      reporter?.checkSpend(stats.spent());
    },
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  const invalidOutput = new InvalidOutput(paths.output);
  const manifest = new RunManifest({
    outputPath: paths.output,
    pipeline: options.pipeline,
    inputs: context.pipeline.inputs,
    tools: pipeline.tools,
    models: Object.fromEntries(configuration.providers.map((provider) => [provider.name, provider.models])),
    target: options.target,
    alreadySaved: store.count,
    logger,
  });
  // Redacted as the log is: a reject holds provider error messages and replies, which may echo a key.
  const rejects = new RejectsFile(path.join(paths.dataDir, REJECTS_FILE_NAME), createRedactor(configuration.secrets));
  const runner = new ConversationRunner({
    target: options.target,
    store,
    invalidStore: invalidOutput,
    rejects,
    pipelineIdentity: { name: options.pipeline.name, version: options.pipeline.version },
    pipeline,
    dispatcher,
    stats: manifest.countingStats(stats),
    logger,
    concurrency: options.concurrency,
    conversationDeadlineMs: options.conversationDeadlineSeconds * 1000,
  });
  // Each provider starts as soon as its own SDK has loaded (the Mistral SDK takes a second or two);
  // one that cannot load (a broken install) stops the run as an unexpected error, as it always did.
  let adapterFailure: { readonly error: unknown } | undefined;
  context.adapters.onRestart((message) => logger.error({}, message));
  context.adapters.onFailure((error) => {
    adapterFailure = { error };
    // An SDK that cannot load, or a provider thread that keeps dying.
    const reason = `a provider cannot serve: ${error instanceof Error ? error.message : String(error)}`;
    runner.drain(reason);
    runner.abortAll(reason);
  });
  let budgetGrace: NodeJS.Timeout | undefined;
  const drainForBudget = (reason: string): void => {
    runner.drain(reason);
    // As after a first Ctrl+C: the conversations in flight get the grace period, not their whole deadline.
    budgetGrace ??= startGracePeriod(runner, logger, options.graceSeconds);
  };
  reporter = new ProgressReporter({
    stats,
    logger,
    statusFile: paths.status,
    outputPath: paths.output,
    logFile: runLogger.logFile,
    intervalMs: options.progressIntervalSeconds * 1000,
    budget: { maxTokens: options.maxTokens, maxCost: options.maxCost, maxHours: options.maxHours },
    onBudgetReached: drainForBudget,
  });
  monthly?.onSpent((reason) => {
    logger.warn({ reason }, `${reason}: stopping after the conversations in flight`);
    void reporter?.drain(reason);
    drainForBudget(reason);
  });
  const signals = handleShutdownSignals({ runner, reporter, logger, graceSeconds: options.graceSeconds, signals: context.signals });
  // From here on the run's handler gets the signals; one that came while starting is acted on now.
  const earlySignal = context.signals.received();
  if (earlySignal !== undefined) {
    logger.warn({ signal: earlySignal }, `${earlySignal} received while starting: stopping before the first conversation`);
    runner.drain(earlySignal);
    void reporter.drain(earlySignal);
  }
  try {
    await reporter.start();
    const running = runner.run();
    // The slow SDKs (Mistral's) load once the first requests of the others are on their way.
    context.adapters.loadSlowOnes();
    const outcome = await running;
    if (adapterFailure !== undefined) throw adapterFailure.error;
    const described = describeOutcome(outcome, signals.immediate());
    const { state, reason, code } = noReply === undefined ? described : { state: 'stopped' as const, reason: noReply, code: NO_REPLY_EXIT_CODE };
    await reporter.finish(state, reason);
    logResourceUsage(logger, code);
    return code;
  } finally {
    clearTimeout(budgetGrace);
    firstReply.dispose();
    signals.dispose();
    dispatcher.close();
    manifest.close();
    await invalidOutput.close();
    await rejects.close();
  }
}

function describeOutcome(outcome: RunOutcome, immediate: boolean): { state: 'finished' | 'stopped'; reason: string; code: number } {
  switch (outcome.kind) {
    case 'target_reached':
      return { state: 'finished', reason: 'target reached', code: 0 };
    case 'no_providers':
    case 'failed':
      return { state: 'stopped', reason: outcome.reason, code: 1 };
    case 'drained':
      return { state: 'stopped', reason: outcome.reason, code: immediate ? 130 : 0 };
  }
}

/**
 * CPU time and peak memory of the whole run, for the benchmark and for the curious; the last
 * record of a run, so it also says the exit code for whoever reads the log the morning after.
 */
function logResourceUsage(logger: RunLogger['logger'], exitCode: number): void {
  const usage = process.resourceUsage();
  logger.info(
    { exitCode, cpuUserMs: Math.round(usage.userCPUTime / 1000), cpuSystemMs: Math.round(usage.systemCPUTime / 1000), maxRssKb: usage.maxRSS },
    'resource usage',
  );
}
