import type { ChatMessage } from './request-body.js';
import { detectSelfplayRole } from './selfplay-script.js';
import { JUDGE_PROMPT_MARKER } from './judge-script.js';

/** What a scripted reply is written from: one request's conversation. */
export interface ScriptContext {
  readonly model: string;
  /** The first message's content when it is a system message, else "". */
  readonly systemPrompt: string;
  /** The conversation after the system prompt. */
  readonly messages: readonly ChatMessage[];
  /** The content of the last `user` (or `tool`) message, "" when there is none. */
  readonly lastUserText: string;
}

/** The conversation's first turn: the assistant has not spoken yet. */
export function isOpening(context: ScriptContext): boolean {
  return !context.messages.some((message) => message.role === 'assistant');
}

const TOOL_CALL_TAG = '<tool_call>';
const REWRITE = 'rewrite';

/** The roles the emulator writes scripted replies for: Ada's. Any other role gets a generic reply. */
export const SCRIPTED_ROLES = ['tester', 'assistant', 'rewriter'] as const;
export type ScriptedRole = (typeof SCRIPTED_ROLES)[number];

export function isScriptedRole(role: string): role is ScriptedRole {
  return (SCRIPTED_ROLES as readonly string[]).includes(role);
}

/** The dry run names each model `offline-<role>` after the selected pipeline's role (offline-configuration.ts). */
const OFFLINE_MODEL = /^offline-(.+)$/;

/**
 * Which job the request is for: the model name decides when it says (`offline-<role>` for any
 * pipeline's role, or one of Ada's role names in it: `...-tester`), else the system prompt: one
 * that teaches `<tool_call>` is Ada's, one about rewriting is the rewriter's.
 */
export function detectRole(model: string, systemPrompt: string): string {
  const name = model.toLowerCase();
  // The self-play steps are told apart by their prompts: their role names are the pipeline's own.
  const selfplay = detectSelfplayRole(systemPrompt);
  if (selfplay !== undefined) return `selfplay-${selfplay}`;
  const offline = OFFLINE_MODEL.exec(model);
  if (offline !== null && !isScriptedRole(offline[1] as string)) return offline[1] as string;
  if (name.includes('judge')) return 'judge';
  if (name.includes('tester')) return 'tester';
  if (name.includes('assistant')) return 'assistant';
  if (name.includes('rewriter')) return 'rewriter';
  // Before the <tool_call> check: the conversation the judge is shown has calls in it too.
  if (systemPrompt.startsWith(JUDGE_PROMPT_MARKER)) return 'judge';
  if (systemPrompt.includes(TOOL_CALL_TAG)) return 'assistant';
  if (systemPrompt.toLowerCase().includes(REWRITE)) return 'rewriter';
  return 'tester';
}

export function buildScriptContext(model: string, messages: readonly ChatMessage[]): ScriptContext {
  const first = messages[0];
  const hasSystem = first?.role === 'system';
  const conversation = hasSystem ? messages.slice(1) : messages;
  let lastUserText = '';
  for (let index = conversation.length - 1; index >= 0; index--) {
    const message = conversation[index] as ChatMessage;
    if (message.role === 'user' || message.role === 'tool') {
      lastUserText = message.content ?? '';
      break;
    }
  }
  return { model, systemPrompt: hasSystem ? (first.content ?? '') : '', messages: conversation, lastUserText };
}
