/**
 * The self-play pipeline (`--pipeline selfplay`): a model invents a workspace of notes, a vague
 * user request about it, and one response with a tool call; the call is judged and executed on
 * real MCP tools in the conversation's own sandbox, and the example is labelled valid or invalid
 * (the self-play generator this product comes from; README, "Self-play on MCP tools").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.js';
import type { ModelRequester, Sampling } from '../../core/types.js';
import { checkJsonSchema, describeViolations } from '../../format/index.js';
import type { McpServers, McpTools } from '../../tools/mcp/index.js';
import { SANDBOX_PLACEHOLDER } from '../../tools/mcp/mcp-server-entry.js';
import type { OpenedPipeline, PipelineDefinition, PrepareContext, PreparedPipeline, UnitOfWork } from '../contract.js';
import { hashInputFiles } from '../input-files.js';
import { samplingOf } from '../role-sampling.js';
import type { OfferedTool } from './judge-response.js';
import { createRandom, seedFromString } from '../../core/random.js';
import { checkPromptSetTools, readPromptSet } from './prompt-set.js';
import { RecordingRequester } from '../annotation-recorder.js';
import { RequestSource } from './request-source.js';
import { annotateExample, makeRecordedRequest } from './selfplay-annotations.js';
import { toSelfplayDiscard } from './selfplay-discard.js';
import { answerRequest, SELFPLAY_PIPELINE_NAME, SELFPLAY_PIPELINE_VERSION, type SelfplayPrompts } from './selfplay-example.js';
import type { ExamplePlan } from './selfplay-mix.js';
import { makeRequest, type SelfplayRequest } from './selfplay-request.js';
import { SELFPLAY_OPTIONS, type SelfplayOptions } from './selfplay-options.js';
import { SELFPLAY_ROLES } from './selfplay-roles.js';

const PROMPTS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemprompts/selfplay');
const PROMPT_FILES = { environment: 'environment.md', userRequest: 'user-request.md', assistant: 'assistant.md' } as const;

const JUDGE_PROMPT_FILE = 'judge.md';

function readPrompt(file: string): string {
  const full = path.join(PROMPTS_DIRECTORY, file);
  try {
    return readFileSync(full, 'utf8');
  } catch (error) {
    throw new ConfigError(`The self-play prompt ${full} cannot be read (${(error as Error).message}). Restore it from the repository.`, { cause: error });
  }
}

function loadSelfplayPrompts(): SelfplayPrompts {
  return { environment: readPrompt(PROMPT_FILES.environment), userRequest: readPrompt(PROMPT_FILES.userRequest), assistant: readPrompt(PROMPT_FILES.assistant) };
}

/** Without configured servers: the filesystem server from npm, on a fresh vault per conversation (paths resolve inside it). */
function defaultServers(): McpServers {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
  return { vault: { transport: 'stdio', command: process.execPath, args: [entry, SANDBOX_PLACEHOLDER], env: {} } };
}

function offeredTools(mcp: McpTools): ReadonlyMap<string, OfferedTool> {
  return new Map(
    mcp.tools.map((tool) => {
      const argumentProblems = (args: unknown) => {
        const violations = checkJsonSchema(args, tool.inputSchema);
        return violations.length === 0 ? [] : [describeViolations(violations)];
      };
      return [tool.name, { name: tool.name, argumentProblems }];
    }),
  );
}

/** Each step's sampling this run: the configuration's, and `--temperature` over it for the response. */
function stepSampling(options: SelfplayOptions, prepare: PrepareContext) {
  const sampling = (role: string): Sampling => samplingOf(SELFPLAY_ROLES, prepare.sampling, role);
  const assistant = options.temperature === undefined ? sampling('assistant') : { ...sampling('assistant'), temperature: options.temperature };
  return { environment: sampling('environment'), requester: sampling('requester'), assistant, judge: sampling('judge') };
}

function prepareSelfplay(options: SelfplayOptions, prepare: PrepareContext): PreparedPipeline {
  const prompts = loadSelfplayPrompts();
  const judgePrompt = options.judge ? readPrompt(JUDGE_PROMPT_FILE) : undefined;
  // Read now: a bad file is a configuration error before anything is written.
  const seedPrompts = options.promptSet === undefined ? undefined : readPromptSet(options.promptSet, prepare.cwd);
  // The user's servers when there are any (--mcp-config, mcpServers in secrets.json), else a vault of its own.
  const configured = prepare.mcpServers ?? {};
  const servers = Object.keys(configured).length > 0 ? configured : defaultServers();
  const sampling = stepSampling(options, prepare);
  const { judge: judgeSampling, ...askedAlways } = sampling;
  return {
    inputs: {
      files: hashInputFiles([...Object.values(PROMPT_FILES), ...(options.judge ? [JUDGE_PROMPT_FILE] : [])].map((file) => path.join(PROMPTS_DIRECTORY, file))),
      // The judge's only when it is asked: a run without --judge is not changed by it.
      sampling: options.judge ? sampling : askedAlways,
    },
    open: async (context): Promise<OpenedPipeline> => {
      // Loaded here, not at start: a run of another pipeline never needs the MCP SDK.
      const { openMcpTools } = await import('../../tools/mcp/open-mcp-tools.js');
      const mcp = await openMcpTools(servers, { sandboxRoot: undefined });
      try {
        if (seedPrompts !== undefined) checkPromptSetTools(seedPrompts, mcp.tools.map((tool) => tool.name), options.promptSet ?? '');
      } catch (error) {
        await mcp.close();
        throw error;
      }
      const offered = offeredTools(mcp);
      context.logger.info({ tools: mcp.tools.map((tool) => tool.name) }, `self-play tools: ${mcp.tools.length} from ${Object.keys(servers).length} MCP server(s)`);
      const requestSettings = { environmentPrompt: prompts.environment, userRequestPrompt: prompts.userRequest, toolNames: [...offered.keys()], sampling };
      // Requests are numbered in the order they are made, from where a resumed run left off.
      let requestCounter = context.alreadySaved;
      const source = new RequestSource(
        (requester, seed, signal, now) =>
          makeRecordedRequest(options.annotate, requester, (asking) => makeRequest(asking, createRandom(seedFromString(`selfplay:${prepare.seed}:${requestCounter++}`)), requestSettings, seed, signal, now)),
        { variations: options.numVariations, prompts: seedPrompts, alreadySaved: context.alreadySaved },
      );
      const settings = { assistantPrompt: prompts.assistant, sampling: { assistant: sampling.assistant, judge: judgeSampling }, executeTools: options.executeTools, validate: options.validate, dryRun: prepare.dryRun, judgePrompt };
      return {
        run: async ({ conversationId, requester, signal, now }): Promise<UnitOfWork> => {
          let plan: ExamplePlan | undefined;
          try {
            const request = await source.take(requester, signal, now ?? Date.now);
            plan = request.plan;
            return await answerInSandbox(conversationId, request, requester, signal);
          } catch (error) {
            throw toSelfplayDiscard(error, plan, signal);
          }
        },
        close: () => mcp.close(),
        tools: mcp.schemas,
      };
      async function answerInSandbox(conversationId: string, request: SelfplayRequest, requester: ModelRequester, signal: AbortSignal): Promise<UnitOfWork> {
        const sandbox = await mcp.sandbox(conversationId);
        // Every call that ran, for the run's stats ("tool calls" in the progress and the summary).
        const toolCalls: { name: string; ok: boolean }[] = [];
        const answering = options.annotate ? new RecordingRequester(requester) : undefined;
        try {
          const answered = await answerRequest(
            conversationId,
            request,
            answering ?? requester,
            {
              offered,
              catalogue: mcp.catalogue,
              schemas: mcp.schemas,
              toolsBlock: mcp.toolsBlock,
              // The workspace goes to the first server that works on a sandbox (the vault).
              vaultDirectory: Object.keys(servers).map((server) => sandbox.directory(server)).find((directory) => directory !== undefined),
              call: async (name, args) => {
                const result = await sandbox.call(name, args);
                toolCalls.push({ name, ok: result.ok });
                return result;
              },
            },
            settings,
            signal,
          );
          const conversation = answering === undefined ? answered : annotateExample(answered, request, answering);
          // Nothing outlives the example but its line: committing or rolling it back leaves nothing to do.
          return { conversation, toolCalls, commit: () => undefined, rollback: () => undefined };
        } finally {
          // The sandbox served its one example: whatever happens to the line, its files go.
          await sandbox.discard();
        }
      }
    },
  };
}

export const selfplayPipeline: PipelineDefinition<SelfplayOptions> = {
  name: SELFPLAY_PIPELINE_NAME,
  version: SELFPLAY_PIPELINE_VERSION,
  description: 'a workspace, a vague request and one tool call, executed on MCP tools in a sandbox and labelled valid or invalid',
  roles: SELFPLAY_ROLES,
  options: SELFPLAY_OPTIONS,
  // The original generator's names: valid examples here, invalid ones in selfplay_output_invalid.jsonl.
  outputFileName: 'selfplay_output.jsonl',
  // The judge is asked only with --judge: without it, no provider needs a model for it.
  unusedRoles: (options) => (options.judge ? [] : ['judge']),
  prepare: prepareSelfplay,
};
