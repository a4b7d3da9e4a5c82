import { ConversationDiscarded, type ChatResult, type ModelRequester, type Sampling, type WireMessage } from '../../core/types.js';
import type { Random } from '../../core/random.js';
import type { RecordedRequest } from '../annotation-recorder.js';
import { fillPlaceholders } from '../ada/prompt-template.js';
import type { SeedPrompt } from './prompt-set.js';
import { drawExamplePlan, environmentInstructions, requestInstructions, type ExamplePlan } from './selfplay-mix.js';
import { sessionId, workspaceId } from './selfplay-ids.js';
import { summariseWorkspace, type SessionContext } from './session-context.js';
import { readWorkspaceReply } from './workspace.js';
import { toSelfplayDiscard } from './selfplay-discard.js';

/**
 * The first half of an example: a workspace and a request about it. With `--num-variations N`
 * one request is answered N times (each answer its own example, judged on its own), so this half
 * is made once and shared; the workspace is data here and is written into each answer's sandbox.
 */
export interface SelfplayRequest {
  readonly plan: ExamplePlan;
  readonly context: SessionContext;
  readonly userText: string;
  readonly models: { readonly environment: string; readonly requester?: string };
  readonly providers: readonly string[];
  /** The `--prompt-set` entry the request came from, instead of the requester model. */
  readonly seed?: { readonly index: number; readonly tool?: string };
  /** With `--annotate`: the requester's request that wrote `userText` (none for a seed prompt). */
  readonly requestedBy?: RecordedRequest;
}

export interface RequestSettings {
  readonly environmentPrompt: string;
  readonly userRequestPrompt: string;
  readonly toolNames: readonly string[];
  /** This run's sampling of the two steps (SELFPLAY_DEFAULT_SAMPLING unless configured). */
  readonly sampling: { readonly environment: Sampling; readonly requester: Sampling };
}

/**
 * Asks for a workspace, then (without a seed prompt) for a vague request about it. A reply that is
 * no workspace, or an empty request, discards the example: there is nothing to answer yet.
 */
export async function makeRequest(
  requester: ModelRequester,
  random: Random,
  settings: RequestSettings,
  seed: { readonly index: number; readonly prompt: SeedPrompt } | undefined,
  signal: AbortSignal,
  now: () => number,
): Promise<SelfplayRequest> {
  const drawn = drawExamplePlan(random);
  // A seed prompt is a plain tool task unless its entry names a behavior.
  const plan: ExamplePlan =
    seed === undefined ? drawn : seed.prompt.behavior === undefined ? { type: 'tool-based', environment: drawn.environment } : { type: 'behavioral', environment: drawn.environment, behavior: seed.prompt.behavior };
  // The plan is known from here on: a failure says what the example was about.
  try {
    const ask = (role: 'environment' | 'requester', messages: WireMessage[]): Promise<ChatResult> =>
      requester.complete({ role, messages, ...settings.sampling[role], signal });

    const environment = await ask('environment', [
      { role: 'system', content: fillPlaceholders(settings.environmentPrompt, { variation_instructions: environmentInstructions(plan.environment) }) },
      { role: 'user', content: 'Describe the workspace.' },
    ]);
    // A reply that is no workspace is a WorkspaceReplyError, which toSelfplayDiscard turns into a discard.
    const workspace = readWorkspaceReply(environment.text);
    const at = now();
    const context = { sessionId: sessionId(at, random), workspaceId: workspaceId(at, random), workspace };
    if (seed !== undefined) {
      return {
        plan,
        context,
        userText: seed.prompt.prompt,
        models: { environment: environment.model },
        providers: [environment.provider],
        seed: { index: seed.index, ...(seed.prompt.tool === undefined ? {} : { tool: seed.prompt.tool }) },
      };
    }
    const request = await ask('requester', [
      {
        role: 'system',
        content: fillPlaceholders(settings.userRequestPrompt, {
          workspace_summary: summariseWorkspace(workspace),
          tool_names: settings.toolNames.join(', '),
          request_instructions: requestInstructions(plan),
        }),
      },
      { role: 'user', content: 'Write the message.' },
    ]);
    const userText = request.text.trim().replace(/^["']|["']$/g, '');
    if (userText === '') throw new ConversationDiscarded('request_empty', 'the requester wrote nothing');
    return {
      plan,
      context,
      userText,
      models: { environment: environment.model, requester: request.model },
      providers: [...new Set([environment.provider, request.provider])],
    };
  } catch (error) {
    throw toSelfplayDiscard(error, plan, signal);
  }
}
