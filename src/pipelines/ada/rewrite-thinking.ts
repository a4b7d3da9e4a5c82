/**
 * The last step: each `<think>` block of Ada's messages is rewritten by the rewriter model for
 * quality; the reply around it is kept byte for byte. A rewriter that returns nothing usable is
 * retried once, then the conversation is discarded (`rewrite_failed`): half-rewritten reasoning
 * would mix two voices in one training example.
 */
import { setMaxListeners } from 'node:events';
import type { ChatResult, Sampling } from '../../core/types.js';
import type { SavedMessage } from '../../format/index.js';
import { formatToolResponses } from '../../format/index.js';
import type { ConversationLog } from './conversation-log.js';
import { requestStep, type StepContext, type Verdict } from './request-step.js';
import { shapeRewriterRequest } from './shape-messages.js';
import {
  extractRewrittenReasoning,
  findThinkBlocks,
  removeThinking,
  replaceThinkBlocks,
  type ThinkBlock,
} from '../../format/index.js';

export interface RewriteSettings extends Sampling {
  readonly prompt: string;
}

/** What Ada was answering: the user's message, or the tool results she had just received. */
function describeStimulus(messages: readonly SavedMessage[], messageIndex: number): string {
  const results: SavedMessage[] = [];
  let index = messageIndex - 1;
  while (messages[index]?.role === 'tool') results.unshift(messages[index--] as SavedMessage);
  if (results.length > 0) return `The tool results the assistant had just received:\n${formatToolResponses(results)}`;
  const previous = messages[index];
  return previous?.role === 'user' ? `The user's message:\n<message>\n${previous.content}\n</message>` : '';
}

/** The rewriter's material; the original reasoning comes first, in the `<think>` it returns. */
export function rewriteMaterial(messages: readonly SavedMessage[], messageIndex: number, block: ThinkBlock): string {
  const reply = removeThinking(messages[messageIndex]?.content ?? '');
  return [
    `<think>\n${block.reasoning.trim()}\n</think>`,
    describeStimulus(messages, messageIndex),
    `The reply this reasoning led to (the rewritten reasoning must lead to exactly this):\n<reply>\n${reply}\n</reply>`,
  ]
    .filter((part) => part.length > 0)
    .join('\n\n');
}

function judgeRewrite(result: ChatResult): Verdict<string> {
  if (result.finishReason === 'length') {
    return { ok: false, reason: 'rewrite_failed', detail: 'the rewritten reasoning was cut off by the length limit' };
  }
  const reasoning = extractRewrittenReasoning(result.text);
  if (reasoning.length === 0) return { ok: false, reason: 'rewrite_failed', detail: 'the rewriter returned no reasoning' };
  return { ok: true, value: reasoning };
}

/** One `<think>` block of one of Ada's messages, and its rewrite once asked for. */
interface BlockRewrite {
  readonly messageIndex: number;
  readonly block: ThinkBlock;
  readonly step: string;
  readonly rewritten: ReturnType<typeof requestStep<string>>;
}

type Rewritten = Awaited<BlockRewrite['rewritten']>;

function requestRewrite(context: StepContext, settings: RewriteSettings, messageIndex: number, block: ThinkBlock): BlockRewrite {
  const step = `rewrite of message ${messageIndex}`;
  const rewritten = requestStep(context, step, {
    role: 'rewriter',
    messages: shapeRewriterRequest(settings.prompt, rewriteMaterial(context.log.messages, messageIndex, block)),
    temperature: settings.temperature,
    topP: settings.topP,
    maxTokens: settings.maxTokens,
  }, judgeRewrite);
  return { messageIndex, block, step, rewritten };
}

/** Replaces the reasoning of the message at `messageIndex` with its blocks' rewrites, in order. */
function applyRewrites(context: StepContext, messageIndex: number, blocks: readonly ThinkBlock[], rewritten: readonly Rewritten[]): void {
  const { log } = context;
  const original = log.messages[messageIndex]?.content ?? '';
  log.originals.set(messageIndex, original);
  const prompts = rewritten.flatMap((block) => (block.prompt === undefined ? [] : [block.prompt]));
  context.annotations?.rewrote(messageIndex, blocks.map((block) => block.reasoning.trim()).join('\n\n'), prompts);
  log.replaceContent(messageIndex, replaceThinkBlocks(original, blocks, rewritten.map((block) => `\n${block.value}\n`)));
  const source = (rewritten.at(-1) as Rewritten).result;
  log.rewrites.push({ messageIndex, blocks: blocks.length, provider: source.provider, model: source.model });
}

/**
 * Rewrites every `<think>` block of every assistant message, one request per block, in message
 * order; the first that fails (after its retry) discards the conversation and none is applied.
 *
 * `together`: ask them all at once. Each rewrite reads only Ada's original message and what she
 * was answering, so the conversation then ends one rewrite after its last reply instead of one
 * per block. That is worth it at the end of a run, when the conversations in flight are all that
 * is left and the providers idle while they finish; not before, when it only makes a
 * conversation's requests come in bursts the concurrency controller reads as over-feeding (a
 * 500-conversation bench run with every conversation's rewrites at once fell from 0.98 of the
 * rate limits to 0.88 in its steady state). The first to fail for good aborts the others (the
 * conversation is lost, and its replacement waits on it), and every request has settled before
 * the failure is thrown, so none is left running behind a discard.
 */
export async function rewriteThinking(context: StepContext, settings: RewriteSettings, together = false): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([context.signal, stop.signal]);
  // One abort listener per request out (the dispatcher links each to it): a dozen blocks is not a leak.
  setMaxListeners(0, signal);
  const shared = { ...context, signal };
  const rewrites: BlockRewrite[] = [];
  let failure: { readonly step: string; readonly error: unknown } | undefined;
  const ask = (messageIndex: number, block: ThinkBlock): Promise<unknown> => {
    const rewrite = requestRewrite(shared, settings, messageIndex, block);
    rewrites.push(rewrite);
    return rewrite.rewritten.catch((error: unknown) => {
      if (failure !== undefined) return;
      failure = { step: rewrite.step, error };
      stop.abort(error);
    });
  };
  for (const [messageIndex, message] of context.log.messages.entries()) {
    if (message.role !== 'assistant') continue;
    for (const block of findThinkBlocks(message.content)) {
      if (failure !== undefined) break;
      const asked = ask(messageIndex, block);
      if (!together) await asked;
    }
  }
  await Promise.allSettled(rewrites.map((rewrite) => rewrite.rewritten));
  if (failure !== undefined) {
    context.log.currentStep = failure.step;
    throw failure.error;
  }
  // In message order, so each message's blocks are together.
  const done = await Promise.all(rewrites.map((rewrite) => rewrite.rewritten));
  const byMessage = new Map<number, { blocks: ThinkBlock[]; rewritten: Rewritten[] }>();
  rewrites.forEach((rewrite, index) => {
    const own = byMessage.get(rewrite.messageIndex) ?? { blocks: [], rewritten: [] };
    own.blocks.push(rewrite.block);
    own.rewritten.push(done[index] as Rewritten);
    byMessage.set(rewrite.messageIndex, own);
  });
  for (const [messageIndex, own] of byMessage) applyRewrites(context, messageIndex, own.blocks, own.rewritten);
}
