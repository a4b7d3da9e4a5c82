import { isProviderError } from '../../core/errors.js';
import { ConversationDiscarded, type ChatResult, type ModelRequester, type WireMessage } from '../../core/types.js';
import { createRandom, seedFromString } from '../../core/random.js';
import type { SavedConversation, SavedMessage, ToolCatalogue, ToolSchema } from '../../format/index.js';
import { fillPlaceholders } from '../ada/prompt-template.js';
import { judgeResponse, type OfferedTool, type ResponseIssue } from './judge-response.js';
import { drawExamplePlan, environmentInstructions, requestInstructions } from './selfplay-mix.js';
import { sessionId, workspaceId } from './selfplay-ids.js';
import { renderSessionContext, summariseWorkspace } from './session-context.js';
import { materialiseWorkspace, readWorkspaceReply, WorkspaceReplyError } from './workspace.js';

export const SELFPLAY_PIPELINE_NAME = 'selfplay';
export const SELFPLAY_PIPELINE_VERSION = '0.1.0';

export interface SelfplayPrompts {
  readonly environment: string;
  readonly userRequest: string;
  readonly assistant: string;
}

/** What one example runs on: its tools, and its own sandbox (a fresh vault), opened by the pipeline. */
export interface ExampleTools {
  readonly offered: ReadonlyMap<string, OfferedTool>;
  readonly catalogue: ToolCatalogue;
  readonly schemas: readonly ToolSchema[];
  readonly toolsBlock: string;
  /** Where the workspace's files go: the sandbox of the server that holds the vault. */
  readonly vaultDirectory: string | undefined;
  call(name: string, args: unknown): Promise<{ readonly ok: boolean; readonly content: string; readonly unavailable?: boolean }>;
}

export interface ExampleSettings {
  readonly prompts: SelfplayPrompts;
  readonly seed: number;
  readonly temperature: number;
  readonly executeTools: boolean;
  readonly validate: boolean;
  readonly dryRun: boolean;
  readonly now: () => number;
}

const MAX_TOKENS = { environment: 2_000, requester: 200, assistant: 600 } as const;

/**
 * One self-play example: a workspace (materialised in the sandbox), a vague request about it, one
 * response, judged and, when it is a sound call, executed. Returns the saved line with its label;
 * an environment reply that is no workspace discards the example (nothing to judge yet).
 */
export async function runSelfplayExample(
  conversationId: string,
  requester: ModelRequester,
  tools: ExampleTools,
  settings: ExampleSettings,
  signal: AbortSignal,
): Promise<SavedConversation> {
  const random = createRandom(seedFromString(`selfplay:${settings.seed}:${conversationId}`));
  const plan = drawExamplePlan(random);
  try {
    return await runPlannedExample(conversationId, requester, tools, settings, signal, random, plan);
  } catch (error) {
    // The failed step is the role of the request left unanswered, which the dispatcher records; the
    // plan is what the example was about. An abort stays as it is, so the runner counts it as one.
    const topic = [plan.type, plan.environment, plan.type === 'behavioral' ? plan.behavior : undefined].filter(Boolean).join(' / ');
    if (error instanceof ConversationDiscarded) throw error.withProvenance({ topic });
    if (isProviderError(error) && error.kind !== 'aborted' && !signal.aborted) {
      throw new ConversationDiscarded('provider_failure', `${error.provider} failed: ${error.message}`, { cause: error, provenance: { topic } });
    }
    throw error;
  }
}

async function runPlannedExample(
  conversationId: string,
  requester: ModelRequester,
  tools: ExampleTools,
  settings: ExampleSettings,
  signal: AbortSignal,
  random: ReturnType<typeof createRandom>,
  plan: ReturnType<typeof drawExamplePlan>,
): Promise<SavedConversation> {
  const ask = (role: 'environment' | 'requester' | 'assistant', messages: WireMessage[], temperature?: number): Promise<ChatResult> =>
    requester.complete({ role, messages, maxTokens: MAX_TOKENS[role], signal, ...(temperature === undefined ? {} : { temperature }) });

  const environment = await ask('environment', [
    { role: 'system', content: fillPlaceholders(settings.prompts.environment, { variation_instructions: environmentInstructions(plan.environment) }) },
    { role: 'user', content: 'Describe the workspace.' },
  ]);
  let workspace;
  try {
    workspace = readWorkspaceReply(environment.text);
    if (tools.vaultDirectory !== undefined) await materialiseWorkspace(workspace, tools.vaultDirectory);
  } catch (error) {
    if (error instanceof WorkspaceReplyError) throw new ConversationDiscarded('workspace_unusable', error.message, { cause: error });
    throw error;
  }
  const now = settings.now();
  const context = { sessionId: sessionId(now, random), workspaceId: workspaceId(now, random), workspace };

  const request = await ask('requester', [
    {
      role: 'system',
      content: fillPlaceholders(settings.prompts.userRequest, {
        workspace_summary: summariseWorkspace(workspace),
        tool_names: [...tools.offered.keys()].join(', '),
        request_instructions: requestInstructions(plan),
      }),
    },
    { role: 'user', content: 'Write the message.' },
  ]);
  const userText = request.text.trim().replace(/^["']|["']$/g, '');
  if (userText === '') throw new ConversationDiscarded('request_empty', 'the requester wrote nothing');

  const sessionContext = renderSessionContext(context);
  const response = await ask(
    'assistant',
    [
      { role: 'system', content: fillPlaceholders(settings.prompts.assistant, { session_context: sessionContext, tools: tools.toolsBlock }) },
      { role: 'user', content: userText },
    ],
    settings.temperature,
  );
  const reply = response.text.trim();

  const issues: ResponseIssue[] = [];
  let execution: { ok: boolean; content: string } | undefined;
  if (settings.validate) {
    const judgement = judgeResponse(reply, plan, tools.offered, tools.catalogue);
    issues.push(...judgement.issues);
    if (judgement.call !== undefined && settings.executeTools) {
      const result = await tools.call(judgement.call.name, judgement.call.arguments);
      if (result.unavailable) throw new ConversationDiscarded('tool_server_unavailable', `the tool server failed: ${result.content}`, {
          provenance: { failedStep: `tool call ${judgement.call.name}`, errorKind: 'tool_server' },
        });
      execution = { ok: result.ok, content: result.content.slice(0, 2_000) };
      if (!result.ok) issues.push({ level: 'error', code: 'tool-failed', message: `${judgement.call.name} failed in the sandbox: ${result.content.slice(0, 300)}` });
    }
  }
  const label = !issues.some((issue) => issue.level === 'error');
  // Tool-based examples train a model that works from the request alone; behavioral ones keep the session.
  const conversations: SavedMessage[] =
    plan.type === 'behavioral'
      ? [{ role: 'system', content: sessionContext }, { role: 'user', content: userText }, { role: 'assistant', content: reply }]
      : [{ role: 'user', content: userText }, { role: 'assistant', content: reply }];
  return {
    id: conversationId,
    conversations,
    label,
    ...(plan.type === 'behavioral' ? { behavior: plan.behavior } : {}),
    report: { issues },
    metadata: {
      pipeline: SELFPLAY_PIPELINE_NAME,
      pipelineVersion: SELFPLAY_PIPELINE_VERSION,
      dryRun: settings.dryRun,
      session_id: context.sessionId,
      workspace_id: context.workspaceId,
      environment_variation: plan.environment,
      type: plan.type,
      agent: { provider: response.provider, model: response.model },
      models: { environment: environment.model, requester: request.model, assistant: response.model },
      providers: [...new Set([environment.provider, request.provider, response.provider])],
      tools: tools.schemas,
      ...(plan.type === 'behavioral' ? { behavior: plan.behavior } : {}),
      workspace: { name: workspace.name, root: workspace.root, files: workspace.files.length, folders: workspace.folders.length },
      ...(execution === undefined ? {} : { execution }),
    },
  };
}

