/**
 * The Ada pipeline: a simulated user (tester model) talks with Ada (assistant model), Ada's tool
 * calls run for real on SQLite, and her reasoning is rewritten at the end (issue 3).
 */
import { NightshiftError } from '../../core/errors.js';
import type { ChatResult } from '../../core/types.js';
import type { SavedConversation } from '../../format/index.js';
import { ConversationDiscarded } from '../../core/types.js';
import { canonicalizeToolCalls, normalizeThinking, parseToolCallSequence, separateReasoning, visibleReply, type ParsedToolCall, type ToolCallItem, type ToolCatalogue } from '../../format/index.js';
import type { McpSandbox } from '../../tools/mcp/index.js';
import { resolveAdaOptions, type AdaConversationOptions, type ResolvedAdaOptions } from './ada-conversation-options.js';
import { cleanTesterMessage, testerLabels } from './clean-tester-message.js';
import { ConversationLog } from './conversation-log.js';
import { buildMetadata } from './conversation-metadata.js';
import { pickSteeredTopic, pickTopic } from './conversation-topics.js';
import { AnnotationRecorder } from '../annotation-recorder.js';
import type { PipelineContext, UnitOfWork } from '../contract.js';
import { fillPlaceholders } from './prompt-template.js';
import { appendAnswer, checkFinish, requestStep, throwIfAborted, toDiscard, type StepContext, type Verdict } from './request-step.js';
import { rewriteThinking } from './rewrite-thinking.js';
import { judgeConversation } from './judge-conversation.js';
import { runToolRound, type ExtraTools } from './run-tool-round.js';
import { shapeAssistantRequest, shapeTesterRequest } from './shape-messages.js';
import type { ToolShareRecord } from './tool-share-run.js';
import { personaPlaceholders, type SimulatedUser } from './simulated-users.js';
import type { UserLease } from './user-pool.js';

export const ADA_PIPELINE_NAME = 'ada';
/** Bumped whenever the shape or meaning of what the pipeline saves changes. */
export const ADA_PIPELINE_VERSION = '1.4.0';

interface Conversation {
  readonly options: ResolvedAdaOptions;
  readonly context: PipelineContext;
  readonly step: StepContext;
  readonly user: SimulatedUser;
  readonly testerPrompt: string;
  readonly judgeTester: (result: ChatResult) => Verdict<string>;
  readonly judgeAssistant: (result: ChatResult) => Verdict<AssistantReply>;
  /** The MCP servers' tools in this conversation's sandbox; undefined without servers. */
  readonly extraTools: ExtraTools | undefined;
}

interface AssistantReply {
  readonly text: string;
  /** Calls and failed markup, parsed once, in the order the reply wrote them: the tool round runs them so. */
  readonly items: readonly ToolCallItem[];
  /** The calls among `items` that could be read. */
  readonly calls: readonly ParsedToolCall[];
}

function judgeTester(labels: ReadonlySet<string>): (result: ChatResult) => Verdict<string> {
  return (result) => {
    const finish = checkFinish(result);
    if (finish !== undefined) return finish;
    const cleaned = cleanTesterMessage(result.text, labels);
    return cleaned.ok ? { ok: true, value: cleaned.text } : cleaned;
  };
}

function judgeAssistant(catalogue: ToolCatalogue): (result: ChatResult) => Verdict<AssistantReply> {
  return (result) => judgeAssistantReply(result, catalogue);
}

function judgeAssistantReply(result: ChatResult, catalogue: ToolCatalogue): Verdict<AssistantReply> {
  const finish = checkFinish(result);
  if (finish !== undefined) return finish;
  const text = normalizeThinking(result.text.trim());
  if (text.length === 0) return { ok: false, reason: 'empty_reply', detail: 'the assistant wrote nothing' };
  const items = parseToolCallSequence(text, { catalogue });
  if (items.length === 0 && visibleReply(text).length === 0) {
    return { ok: false, reason: 'empty_reply', detail: 'the assistant wrote reasoning but no reply' };
  }
  const calls = items.flatMap((item) => (item.kind === 'call' ? [item.call] : []));
  return { ok: true, value: { text, items, calls } };
}

async function userTurn(conversation: Conversation, turn: number): Promise<void> {
  const { step, options } = conversation;
  const { value, result, prompt } = await requestStep(
    step,
    `tester message ${turn}`,
    { role: 'tester', messages: shapeTesterRequest(conversation.testerPrompt, step.log.messages), ...options.sampling.tester },
    conversation.judgeTester,
  );
  appendAnswer(step, { role: 'user', content: value }, result, prompt);
}

/** Ada answers; while her reply calls tools, they run and she continues, up to the round limit. */
async function assistantTurn(conversation: Conversation, turn: number): Promise<void> {
  const { step, options, context } = conversation;
  const toolContext = { userId: conversation.user.id, conversationId: context.conversationId };
  for (let round = 0; ; round++) {
    const label = round === 0 ? `assistant reply ${turn}` : `assistant reply ${turn} after tool round ${round}`;
    const { value, result, prompt } = await requestStep(
      step,
      label,
      { role: 'assistant', messages: shapeAssistantRequest(step.log.messages), ...options.sampling.assistant },
      conversation.judgeAssistant,
    );
    // Saved in the one call syntax the persona prompt teaches; the model's markup stays in metadata.
    const canonical = canonicalizeToolCalls(value.text, value.calls);
    const index = appendAnswer(step, { role: 'assistant', content: canonical.text }, result, prompt);
    if (value.items.length === 0) return;
    if (round >= options.maxToolRounds) {
      throw new ConversationDiscarded(
        'invalid_output',
        `${label}: still calling tools after ${options.maxToolRounds} tool round(s); a saved call must have its result`,
      );
    }
    throwIfAborted(step.signal);
    await runToolRound(options.toolStore, toolContext, step.log, index, value.items, canonical.canonicalByOriginal, conversation.extraTools);
  }
}

/** What a reject of this conversation says beyond the dispatcher's requests; filled in as it goes. */
interface Progress {
  topic?: string;
  log?: ConversationLog;
}

async function converse(
  options: ResolvedAdaOptions,
  context: PipelineContext,
  user: SimulatedUser,
  startedAt: number,
  extraTools: ExtraTools | undefined,
  progress: Progress,
  toolShare: ToolShareRecord | undefined,
): Promise<{ conversation: SavedConversation; toolCalls: UnitOfWork['toolCalls'] }> {
  // With --tool-share the plan steers the tester (never Ada's prompt); without it, today's draw.
  const steered = toolShare === undefined ? undefined : pickSteeredTopic(options.random, user, toolShare.plan);
  const topic = steered?.topic ?? pickTopic(options.random, user);
  const turns = options.turnPlanner.next(context.startsLeft, context.inFlightAtStart);
  const log = new ConversationLog();
  progress.topic = topic;
  progress.log = log;
  log.append({ role: 'system', content: options.systemPrompt }, null);
  const conversation: Conversation = {
    options,
    context,
    step: { requester: context.requester, signal: context.signal, log, ...(options.annotate ? { annotations: new AnnotationRecorder() } : {}) },
    user,
    testerPrompt: fillPlaceholders(options.prompts.tester, { ...personaPlaceholders(user), topic: steered?.testerTopic ?? topic }),
    judgeTester: judgeTester(testerLabels(user)),
    judgeAssistant: judgeAssistant(options.catalogue),
    extraTools,
  };
  for (let turn = 1; turn <= turns; turn++) {
    await userTurn(conversation, turn);
    await assistantTurn(conversation, turn);
  }
  if (options.rewrite) {
    // All at once when no more conversations will start: the run's end waits on the last ones.
    const together = context.startsLeftNow?.() === 0;
    await rewriteThinking(conversation.step, { prompt: options.prompts.rewriter, ...options.sampling.rewriter }, together);
  }
  throwIfAborted(context.signal);
  separateReasoningInReplies(log);
  // Judged as it will be saved; the validator's issues join these when the conversation is labelled.
  const judged = options.judge === undefined ? undefined : await judgeConversation(conversation.step, options.judge, log.originals);
  throwIfAborted(context.signal);
  const finishedAt = (context.now ?? Date.now)();
  const metadata = buildMetadata({
    pipeline: ADA_PIPELINE_NAME,
    pipelineVersion: ADA_PIPELINE_VERSION,
    dryRun: options.dryRun,
    user,
    topic,
    turns,
    log,
    rewrite: options.rewrite,
    switches: context.requester.switches,
    tools: options.toolSchemas,
    ...(options.prompts.adaThinkingInstruction === undefined ? {} : { thinkingInstruction: options.prompts.adaThinkingInstruction }),
    ...(toolShare === undefined ? {} : { toolShare }),
    startedAt,
    finishedAt,
  });
  const toolCalls = log.toolCalls.map((call) => ({ name: call.name, ok: call.ok === true }));
  const report = judged === undefined ? {} : { report: { issues: judged.issues, ...(judged.verdict === undefined ? {} : { judge: judged.verdict }) } };
  const annotations = conversation.step.annotations === undefined ? {} : { annotations: conversation.step.annotations.toSaved() };
  return { conversation: { id: context.conversationId, conversations: log.messages, ...report, metadata, ...annotations }, toolCalls };
}

/** Saved replies read `<think>…</think>\n\nreply`, whatever spacing the model (or the rewriter) left. */
function separateReasoningInReplies(log: ConversationLog): void {
  log.messages.forEach((message, index) => {
    if (message.role === 'assistant') log.replaceContent(index, separateReasoning(message.content));
  });
}

/** Undoes the conversation's tool rows; a failure here is loud, it would leave orphan memories. */
function rollBack(options: ResolvedAdaOptions, conversationId: string, failure: string): void {
  try {
    options.toolStore.rollbackConversation(conversationId);
  } catch (error) {
    throw new NightshiftError(
      'TOOL_ROLLBACK_FAILED',
      `Could not roll back the tool rows of conversation ${conversationId} after ${failure}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function runConversation(options: ResolvedAdaOptions, context: PipelineContext, toolShare: ToolShareRecord | undefined): Promise<UnitOfWork> {
  const startedAt = (context.now ?? Date.now)();
  const { signal } = context;
  let lease;
  try {
    throwIfAborted(signal);
    lease = await options.userPool.lease(signal);
  } catch (error) {
    throw toDiscard(error, signal) ?? error;
  }
  let finished: { conversation: SavedConversation; toolCalls: UnitOfWork['toolCalls'] };
  const sandbox = lazySandbox(options, context.conversationId);
  const progress: Progress = {};
  try {
    finished = await converse(options, context, lease.user, startedAt, sandbox.tools, progress, toolShare);
  } catch (error) {
    // Nothing goes back to the runner, so its rows are undone here, before its user is free again.
    try {
      rollBack(options, context.conversationId, `it failed (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      lease.release();
    }
    const discard = toDiscard(error, signal);
    if (discard === undefined) throw error;
    throw discard.withProvenance({
      user: `${lease.user.name} (${lease.user.id})`,
      ...(progress.topic === undefined ? {} : { topic: progress.topic }),
      ...(progress.log?.currentStep === undefined ? {} : { failedStep: progress.log.currentStep }),
    });
  } finally {
    // The servers' sandbox served this one conversation: its files go, whatever becomes of the line.
    await sandbox.discard();
  }
  return unitOfWork(options, context.conversationId, finished, lease);
}

/**
 * The conversation's sandbox on the MCP servers, opened at its first call to one of their tools
 * (most conversations never call one, and a sandboxed server costs a process start).
 */
function lazySandbox(options: ResolvedAdaOptions, conversationId: string): { tools: ExtraTools | undefined; discard(): Promise<void> } {
  const mcp = options.mcp;
  if (mcp === undefined) return { tools: undefined, discard: async () => undefined };
  const offered = new Set(mcp.tools.map((tool) => tool.name));
  let opened: Promise<McpSandbox> | undefined;
  return {
    tools: {
      has: (name) => offered.has(name),
      call: async (name, args) => (await (opened ??= mcp.sandbox(conversationId))).call(name, args),
    },
    discard: async () => {
      if (opened === undefined) return;
      await (await opened.catch(() => undefined))?.discard();
    },
  };
}

/**
 * The user's rows are final only once the runner has saved (fsynced) the line: until it commits
 * or rolls back, the user stays leased, so their next conversation never reads rows that may
 * still be undone.
 */
function unitOfWork(
  options: ResolvedAdaOptions,
  conversationId: string,
  finished: { conversation: SavedConversation; toolCalls: UnitOfWork['toolCalls'] },
  lease: UserLease,
): UnitOfWork {
  let settled = false;
  const settle = (action: () => void): void => {
    if (settled) return;
    settled = true;
    try {
      action();
    } finally {
      lease.release();
    }
  };
  return {
    conversation: finished.conversation,
    toolCalls: finished.toolCalls,
    commit: () => settle(() => options.toolStore.markSaved(conversationId)),
    rollback: () => settle(() => rollBack(options, conversationId, 'its line was not saved')),
  };
}

/** Ada's conversations, one unit of work each. Options are validated here, once (`ConfigError` when invalid). */
export function createAdaConversations(options: AdaConversationOptions): AdaConversations {
  const resolved = resolveAdaOptions(options);
  return {
    name: ADA_PIPELINE_NAME,
    version: ADA_PIPELINE_VERSION,
    run: (context, toolShare) => runConversation(resolved, context, toolShare),
  };
}

/** What runs Ada's conversations over resources already open (the tool store, the user pool). */
export interface AdaConversations {
  readonly name: string;
  readonly version: string;
  /** `toolShare`: the conversation's plan under `--tool-share` (steers its topic, saved in `metadata.toolShare`). */
  run(context: PipelineContext, toolShare?: ToolShareRecord): Promise<UnitOfWork>;
}
