/**
 * Ada's pipeline as the runner sees it: her roles and flags, and the resources she owns: the
 * prompts, the simulated-user pool, and the memory/diary database (`<data-dir>/tools.db`), which
 * she opens, recovers after a crash and empties on `--reset-tools`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom, seedFromString } from '../../core/random.js';
import { ADA_TOOL_SCHEMAS, ToolStore } from '../../tools/index.js';
import type { McpTools } from '../../tools/mcp/index.js';
import { openNearDuplicateIndex } from '../../validate/index.js';
import type { OpenedPipeline, PipelineDefinition, PrepareContext, PreparedPipeline, ResourceContext, UnitOfWork } from '../contract.js';
import { hashInputFiles } from '../input-files.js';
import { samplingOf } from '../role-sampling.js';
import type { JudgeSettings } from './judge-conversation.js';
import { ADA_PIPELINE_NAME, ADA_PIPELINE_VERSION, createAdaConversations } from './ada-conversation.js';
import { ADA_OPTIONS, type AdaOptions } from './ada-options.js';
import { ADA_ROLES } from './ada-roles.js';
import { labelFromJudge, labelUnitOfWork } from './label-conversation.js';
import { PROMPT_FILES, loadPrompts } from './load-prompts.js';
import { generateSimulatedUsers, loadSimulatedUsers } from './simulated-users.js';
import { logToolShareAtClose, openToolShare, steerToolShare, type PlannedRun } from './tool-share-run.js';
import { UserPool } from './user-pool.js';

/** The prompts ship with the project, so they are found whatever the working directory is. */
export const PROMPTS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemprompts');

function toolsDatabase(context: ResourceContext): string {
  return path.join(context.dataDir, 'tools.db');
}

/**
 * Rows of conversations that wrote to the database and were never saved (a crash between the
 * tool call and the fsync) are undone; those the output holds are confirmed. Only conversations
 * the database lists as open are looked at, so another --output or an archived file never
 * touches saved memories.
 */
function recoverToolStore(toolStore: ToolStore, context: ResourceContext): void {
  const recovery = toolStore.recoverOpenConversations((conversationId) => context.isSaved(conversationId));
  if (recovery.rows > 0 || recovery.confirmed > 0) {
    context.logger.info(
      { rows: recovery.rows, conversations: recovery.rolledBack, confirmed: recovery.confirmed },
      'rolled back tool rows of conversations that were never saved',
    );
  }
}

/** `systemprompts/judge.md`, read only with --judge. */
function loadJudge(options: AdaOptions): JudgeSettings | undefined {
  if (!options.judge) {
    if (options.minScore !== undefined) throw new ConfigError('--min-score needs --judge: without the judge there is no score to compare (add --judge).');
    return undefined;
  }
  const file = path.join(PROMPTS_DIRECTORY, 'judge.md');
  try {
    return { prompt: readFileSync(file, 'utf8'), minScore: options.minScore };
  } catch (error) {
    throw new ConfigError(`The judge prompt ${file} cannot be read (${(error as Error).message}). Restore it from the repository, or run without --judge.`, { cause: error });
  }
}

/** Read once at start, before anything is written: a missing prompt or a bad users file is a ConfigError. */
function prepareAda(options: AdaOptions, prepare: PrepareContext): PreparedPipeline {
  const prompts = loadPrompts(PROMPTS_DIRECTORY);
  const sampling = (role: string) => samplingOf(ADA_ROLES, prepare.sampling, role);
  const conversationSampling = { tester: sampling('tester'), assistant: sampling('assistant'), rewriter: sampling('rewriter') };
  const loadedJudge = loadJudge(options);
  const judge = loadedJudge === undefined ? undefined : { ...loadedJudge, sampling: sampling('judge') };
  // Generated users come from the seed alone, so they (and their memories) are the same across restarts.
  const users = options.usersFile ? loadSimulatedUsers(path.resolve(prepare.cwd, options.usersFile)) : generateSimulatedUsers(options.users, prepare.seed);
  const inputFiles = [...Object.values(PROMPT_FILES).map((file) => path.join(PROMPTS_DIRECTORY, file)), ...(options.usersFile ? [path.resolve(prepare.cwd, options.usersFile)] : [])];
  return {
    // Read just after loadPrompts and the users file succeeded, so the files exist.
    // The judge's sampling only when it is asked: a run without --judge is not changed by it.
    inputs: { files: hashInputFiles(inputFiles), sampling: { ...conversationSampling, ...(judge === undefined ? {} : { judge: judge.sampling }) } },
    // A run with nothing to do creates no database, but still settles what a crash left in one.
    recover: (context) => {
      if (!existsSync(toolsDatabase(context))) return;
      const toolStore = ToolStore.open(toolsDatabase(context));
      try {
        recoverToolStore(toolStore, context);
      } finally {
        toolStore.close();
      }
    },
    open: async (context): Promise<OpenedPipeline> => {
      // --tool-share starts from the share the output already holds, read before anything is opened.
      const steering = options.toolShare === undefined ? undefined : await openToolShare(options.toolShare, context.output, context.logger);
      // Extra tools beside her memory and diary, when MCP servers are configured (--mcp-config).
      const servers = prepare.mcpServers ?? {};
      // The MCP SDK (and the zod-to-json-schema and ajv it brings, some 100 modules) loads only for a run that uses it.
      const mcp: McpTools | undefined =
        Object.keys(servers).length > 0 ? await (await import('../../tools/mcp/open-mcp-tools.js')).openMcpTools(servers) : undefined;
      if (mcp !== undefined) context.logger.info({ tools: mcp.tools.map((tool) => tool.name) }, `Ada's extra tools: ${mcp.tools.length} from ${Object.keys(servers).length} MCP server(s)`);
      let toolStore: ToolStore | undefined;
      try {
        toolStore = ToolStore.open(toolsDatabase(context));
        recoverToolStore(toolStore, context);
        if (options.resetTools) {
          toolStore.reset();
          context.logger.info({ database: toolsDatabase(context) }, 'tool database emptied (--reset-tools)');
        }
        // Conversations already saved vary the topic sequence between restarts of one seed.
        const conversations = createAdaConversations({
          prompts,
          toolStore,
          userPool: new UserPool(users, createRandom(seedFromString(`users:${prepare.seed}:${context.alreadySaved}`))),
          random: createRandom(seedFromString(`topics:${prepare.seed}:${context.alreadySaved}`)),
          turns: options.turns,
          maxToolRounds: options.maxToolRounds,
          rewrite: options.rewrite,
          dryRun: prepare.dryRun,
          annotate: options.annotate,
          sampling: conversationSampling,
          ...(mcp === undefined ? {} : { mcp }),
          ...(judge === undefined ? {} : { judge }),
        });
        // Near-duplicates are looked for across restarts: the index lives beside the tool database.
        const nearDuplicates = options.validate ? openNearDuplicateIndex(path.join(context.dataDir, 'near-duplicates.db')) : undefined;
        const toolSchemas = mcp === undefined ? ADA_TOOL_SCHEMAS : [...ADA_TOOL_SCHEMAS, ...mcp.schemas];
        const store = toolStore;
        const produce: PlannedRun = (conversation, plan) =>
          conversations.run(conversation, plan === undefined || steering === undefined ? undefined : { target: steering.target, plan });
        const labelled: PlannedRun = options.validate
          ? async (conversation, plan) => labelUnitOfWork(await produce(conversation, plan), nearDuplicates, toolSchemas)
          : judge !== undefined
            ? async (conversation, plan) => labelFromJudge(await produce(conversation, plan))
            : produce;
        // Settled after labelling: only a conversation that reaches the output counts toward the share.
        const run: OpenedPipeline['run'] = steering === undefined ? (conversation) => labelled(conversation, undefined) : steerToolShare(steering, labelled);
        return {
          capacity: users.length,
          tools: toolSchemas,
          run,
          close: async () => {
            if (steering !== undefined) logToolShareAtClose(steering, context.logger);
            nearDuplicates?.close();
            store.close();
            await mcp?.close();
          },
        };
      } catch (error) {
        toolStore?.close();
        await mcp?.close();
        throw error;
      }
    },
  };
}

export const adaPipeline: PipelineDefinition<AdaOptions> = {
  name: ADA_PIPELINE_NAME,
  version: ADA_PIPELINE_VERSION,
  description: 'a simulated user talks with Ada, who uses real memory and diary tools; her reasoning is rewritten',
  roles: ADA_ROLES,
  // The judge costs a request per conversation: only a run with --judge asks it, or needs its model priced.
  unusedRoles: (options) => (options.judge ? [] : ['judge']),
  options: ADA_OPTIONS,
  prepare: prepareAda,
};
