/**
 * The last step: each `<think>` block of Ada's messages is rewritten by the rewriter model for
 * quality; the reply around it is kept byte for byte. A rewriter that returns nothing usable is
 * retried once, then the conversation is discarded (`rewrite_failed`): half-rewritten reasoning
 * would mix two voices in one training example.
 */
import type { ChatResult, Sampling } from '../../core/types.js';
import type { SavedMessage } from '../../format/index.js';
import type { RecordedRequest } from '../annotation-recorder.js';
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

async function rewriteMessage(context: StepContext, settings: RewriteSettings, messageIndex: number): Promise<void> {
  const log: ConversationLog = context.log;
  const original = log.messages[messageIndex]?.content ?? '';
  const blocks = findThinkBlocks(original);
  if (blocks.length === 0) return;
  const rewritten: string[] = [];
  const prompts: RecordedRequest[] = [];
  let last: ChatResult | undefined;
  for (const block of blocks) {
    const material = rewriteMaterial(log.messages, messageIndex, block);
    const { value, result, prompt } = await requestStep(context, `rewrite of message ${messageIndex}`, {
      role: 'rewriter',
      messages: shapeRewriterRequest(settings.prompt, material),
      temperature: settings.temperature,
      topP: settings.topP,
      maxTokens: settings.maxTokens,
    }, judgeRewrite);
    rewritten.push(`\n${value}\n`);
    if (prompt !== undefined) prompts.push(prompt);
    last = result;
  }
  log.originals.set(messageIndex, original);
  context.annotations?.rewrote(messageIndex, blocks.map((block) => block.reasoning.trim()).join('\n\n'), prompts);
  log.replaceContent(messageIndex, replaceThinkBlocks(original, blocks, rewritten));
  const source = last as ChatResult;
  log.rewrites.push({ messageIndex, blocks: blocks.length, provider: source.provider, model: source.model });
}

/** Rewrites every `<think>` block of every assistant message, one request per block. */
export async function rewriteThinking(context: StepContext, settings: RewriteSettings): Promise<void> {
  for (let index = 0; index < context.log.messages.length; index++) {
    if (context.log.messages[index]?.role === 'assistant') await rewriteMessage(context, settings, index);
  }
}
