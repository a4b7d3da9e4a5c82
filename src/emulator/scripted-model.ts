import { createRandom } from '../core/random.js';
import { assistantReply, type AssistantScriptOptions } from './assistant-script.js';
import type { ModelFault } from './faults.js';
import type { ChatRequestBody } from './request-body.js';
import { rewriterReply } from './rewriter-script.js';
import { judgeReply } from './judge-script.js';
import { behaviorJudgeReply, environmentReply, requesterReply, selfplayAssistantReply } from './selfplay-script.js';
import type { ScriptContext } from './script-context.js';
import { hashTexts } from './script-text.js';
import { leakTesterReply, testerReply } from './tester-script.js';

export interface ScriptedReply {
  readonly text: string;
  readonly finishReason: 'stop' | 'length';
}

export interface ScriptedReplyInput {
  readonly seed: number;
  /** Ada's roles are scripted; any other gets a generic reply. */
  readonly role: string;
  readonly context: ScriptContext;
  readonly body: ChatRequestBody;
  readonly options: AssistantScriptOptions & { readonly wrongCallRate: number };
  readonly modelFault: 'emptyReply' | 'truncated' | 'testerLeak' | undefined;
}

/** The emulator's token estimate: about four characters a token, the usual rule of thumb. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/**
 * One reply of the scripted model. Deterministic: the same seed and the same request content
 * give the same text, whatever order requests arrive in; faults come from the caller.
 */
export function scriptedReply(input: ScriptedReplyInput): ScriptedReply {
  const { context, role } = input;
  const random = createRandom(hashTexts(input.seed, conversationTexts(input.body.model, role, context)));
  let text: string;
  if (role === 'tester') text = testerReply(random, context);
  else if (role === 'rewriter') text = rewriterReply(random, context);
  else if (role === 'judge') text = judgeReply(random, context);
  else if (role === 'assistant') text = assistantReply(random, context, input.options);
  else if (role === 'selfplay-environment') text = environmentReply(random, context).text;
  else if (role === 'selfplay-requester') text = requesterReply(random, context).text;
  else if (role === 'selfplay-assistant') text = selfplayAssistantReply(random, context, input.options.wrongCallRate).text;
  else if (role === 'selfplay-judge') text = behaviorJudgeReply(random, context).text;
  else text = genericReply(role, context);
  return limitReply(applyModelFault(input.modelFault, text, random), input.body);
}

/**
 * Another pipeline's role: a short reply that quotes what it was asked, so a pipeline's own
 * tests can see their request arrived whole (a trivial echo pipeline checks exactly that).
 */
export function genericReply(role: string, context: ScriptContext): string {
  const asked = context.lastUserText.trim().slice(0, GENERIC_QUOTE_CHARACTERS);
  return asked.length === 0 ? `Scripted ${role} reply.` : `Scripted ${role} reply to: ${asked}`;
}

const GENERIC_QUOTE_CHARACTERS = 400;

function conversationTexts(model: string, role: string, context: ScriptContext): string[] {
  const texts = [model, role, context.systemPrompt];
  for (const message of context.messages) texts.push(message.role, message.content ?? '');
  return texts;
}

function applyModelFault(fault: ModelFault | undefined, text: string, random: () => number): ScriptedReply {
  switch (fault) {
    case 'emptyReply':
      return { text: '', finishReason: 'stop' };
    case 'truncated':
      return { text: text.slice(0, Math.max(1, Math.floor(text.length * (0.3 + random() * 0.3)))), finishReason: 'length' };
    case 'testerLeak':
      return { text: leakTesterReply(random, text), finishReason: 'stop' };
    case undefined:
      return { text, finishReason: 'stop' };
  }
}

/** Real servers stop at the first stop sequence and cut at `max_tokens`. */
function limitReply(reply: ScriptedReply, body: ChatRequestBody): ScriptedReply {
  let { text, finishReason } = reply;
  for (const stop of body.stop) {
    const at = stop.length > 0 ? text.indexOf(stop) : -1;
    if (at >= 0) {
      text = text.slice(0, at);
      finishReason = 'stop';
    }
  }
  if (body.maxTokens !== undefined && estimateTokens(text.length) > body.maxTokens) {
    return { text: text.slice(0, body.maxTokens * 4), finishReason: 'length' };
  }
  return { text, finishReason };
}
