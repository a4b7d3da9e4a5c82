import { ConversationDiscarded, type ModelRequester, type Sampling } from '../../core/types.js';
import type { SavedConversation, SavedMessage, ToolCatalogue, ToolSchema } from '../../format/index.js';
import { labelFor } from '../../validate/index.js';
import { fillPlaceholders } from '../ada/prompt-template.js';
import { judgeBehavior, type BehaviorVerdict } from './behavior-judge.js';
import { judgeResponse, ruleTellsBehavior, type OfferedTool, type ResponseIssue } from './judge-response.js';
import type { SelfplayRequest } from './selfplay-request.js';
import { renderSessionContext } from './session-context.js';
import { materialiseWorkspace } from './workspace.js';

export const SELFPLAY_PIPELINE_NAME = 'selfplay';
// 0.2.0: `prompt_set` in metadata; one request may be answered several times (--num-variations).
export const SELFPLAY_PIPELINE_VERSION = '0.2.0';

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
  readonly assistantPrompt: string;
  /** This run's sampling of the response (`--temperature` already applied) and of the judge. */
  readonly sampling: { readonly assistant: Sampling; readonly judge: Sampling };
  readonly executeTools: boolean;
  readonly validate: boolean;
  readonly dryRun: boolean;
  /** `systemprompts/selfplay/judge.md` with `--judge`: behaviors no rule can tell go to the judge model. */
  readonly judgePrompt?: string | undefined;
}

/**
 * The second half of one self-play example: the request's workspace is written into this example's
 * own sandbox, the assistant answers, and the answer is judged and, when it is a sound call,
 * executed there. Returns the saved line with its label.
 */
export async function answerRequest(
  conversationId: string,
  request: SelfplayRequest,
  requester: ModelRequester,
  tools: ExampleTools,
  settings: ExampleSettings,
  signal: AbortSignal,
): Promise<SavedConversation> {
  const { plan, context, userText } = request;
  const workspace = context.workspace;
  // A workspace that cannot be written is a WorkspaceReplyError, which toSelfplayDiscard turns into a discard.
  if (tools.vaultDirectory !== undefined) await materialiseWorkspace(workspace, tools.vaultDirectory);
  const sessionContext = renderSessionContext(context);
  const response = await requester.complete({
    role: 'assistant',
    messages: [
      { role: 'system', content: fillPlaceholders(settings.assistantPrompt, { session_context: sessionContext, tools: tools.toolsBlock }) },
      { role: 'user', content: userText },
    ],
    ...settings.sampling.assistant,
    signal,
  });
  const reply = response.text.trim();

  const issues: ResponseIssue[] = [];
  let execution: { ok: boolean; content: string } | undefined;
  if (settings.validate) {
    const judgement = judgeResponse(reply, plan, tools.offered, tools.catalogue);
    issues.push(...judgement.issues);
    if (judgement.call !== undefined && settings.executeTools) {
      const result = await tools.call(judgement.call.name, judgement.call.arguments);
      if (result.unavailable) {
        throw new ConversationDiscarded('tool_server_unavailable', `the tool server failed: ${result.content}`, {
          provenance: { failedStep: `tool call ${judgement.call.name}`, errorKind: 'tool_server' },
        });
      }
      execution = { ok: result.ok, content: result.content.slice(0, 2_000) };
      if (!result.ok) issues.push({ level: 'error', code: 'tool-failed', message: `${judgement.call.name} failed in the sandbox: ${result.content.slice(0, 300)}` });
    }
  }
  let behaviorJudge: BehaviorVerdict | undefined;
  const soundSoFar = labelFor(issues);
  if (settings.validate && settings.judgePrompt !== undefined && soundSoFar && plan.type === 'behavioral' && !ruleTellsBehavior(plan.behavior)) {
    const judged = await judgeBehavior(requester, { prompt: settings.judgePrompt, sampling: settings.sampling.judge }, { behavior: plan.behavior, sessionContext, userText, reply }, signal);
    issues.push(...judged.issues);
    behaviorJudge = judged.verdict;
  }
  const label = labelFor(issues);
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
      models: { ...request.models, assistant: response.model },
      providers: [...new Set([...request.providers, response.provider])],
      ...(request.seed === undefined ? {} : { prompt_set: request.seed }),
      tools: tools.schemas,
      ...(plan.type === 'behavioral' ? { behavior: plan.behavior } : {}),
      workspace: { name: workspace.name, root: workspace.root, files: workspace.files.length, folders: workspace.folders.length },
      ...(execution === undefined ? {} : { execution }),
      ...(behaviorJudge === undefined ? {} : { behavior_judge: behaviorJudge }),
    },
  };
}
