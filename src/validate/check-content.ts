/**
 * What the messages say: empty or garbled text, markup left unbalanced or leaked from a chat
 * template, refusals, the simulated user speaking as the assistant, and lengths out of bounds.
 * Assistant replies are judged on what the person sees (`visibleReply`: no reasoning, no call
 * markup); garbling is looked for in the reasoning too, which is trained on as well.
 */
import { stripToolCalls, visibleReply, type SavedConversation } from '../format/index.js';
import { findPhrase, REFUSAL_PHRASES, TESTER_AS_ASSISTANT_PHRASES } from './phrase-lists.js';
import type { ResolvedContext, ValidationBounds, ValidationIssue } from './validation-types.js';

const REPLACEMENT_CHARACTER = /\uFFFD/u;
// Control characters other than tab, line feed and carriage return.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/u;
/** UTF-8 read as Latin-1 ("cafÃ©", "itâ€™s"): text that went through a wrong decoder. */
const MOJIBAKE = /Ã[\u0080-\u00BF]|â€[\u0080-\u00BF\u0152\u0153\u2122\u201C\u201D\u2018\u2019]/u;
const CODE_FENCE = /^\s*```/gm;
/** Tags of the call grammar and chat-template tokens that must never reach what the person reads. */
const LEAKED_MARKUP = /<\/?(?:tool_call|tool_response|think)>|<\|[a-z_]+\|>|\[\/?INST\]|\[TOOL_(?:CALLS|RESULTS)\]|<\/?s>/iu;
/** Tags a simulated user has no reason to write: they belong to the assistant's side. */
const ASSISTANT_MARKUP = /<\/?(?:think|tool_call)>/iu;

const garbledRunPatterns = new Map<number, RegExp>();

/** A run of `length` characters with no letter and no space; built once per length. */
function garbledRunPattern(length: number): RegExp {
  let pattern = garbledRunPatterns.get(length);
  if (pattern === undefined) {
    pattern = new RegExp(`[^\\p{L}\\s]{${length},}`, 'u');
    garbledRunPatterns.set(length, pattern);
  }
  return pattern;
}

function describeGarbling(text: string, bounds: ValidationBounds): string | undefined {
  if (REPLACEMENT_CHARACTER.test(text)) return 'a replacement character (U+FFFD): text lost in decoding';
  const control = CONTROL_CHARACTER.exec(text);
  if (control !== null) return `a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  const mojibake = MOJIBAKE.exec(text);
  if (mojibake !== null) return `"${mojibake[0]}", UTF-8 decoded as Latin-1`;
  const run = garbledRunPattern(bounds.garbledRunLength).exec(text);
  if (run !== null) return `a run of ${run[0].length} characters without a letter ("${run[0].slice(0, 24)}…")`;
  return undefined;
}

function describeUnbalanced(text: string): string | undefined {
  const fences = text.match(CODE_FENCE)?.length ?? 0;
  if (fences % 2 === 1) return `${fences} code fences (\`\`\`), one never closed`;
  const leaked = LEAKED_MARKUP.exec(text);
  if (leaked !== null) return `the markup "${leaked[0]}" in the text`;
  return undefined;
}

function checkUser(content: string, index: number, bounds: ValidationBounds): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const push = (level: ValidationIssue['level'], code: ValidationIssue['code'], message: string): void => {
    issues.push({ level, code, messageIndex: index, message: `User message ${index} ${message}` });
  };
  if (content.trim().length === 0) {
    push('error', 'empty-message', 'is empty.');
    return issues;
  }
  const garbling = describeGarbling(content, bounds);
  if (garbling !== undefined) push('error', 'garbled-text', `holds ${garbling}.`);
  if (content.length > bounds.maxUserCharacters) push('error', 'message-too-long', `is ${content.length} characters long; the bound is ${bounds.maxUserCharacters}.`);
  const markup = ASSISTANT_MARKUP.exec(content);
  const phrase = findPhrase(content, TESTER_AS_ASSISTANT_PHRASES);
  if (markup !== null) push('error', 'tester-as-assistant', `holds the assistant's markup "${markup[0]}": the simulated user wrote as the assistant.`);
  else if (phrase !== undefined) push('error', 'tester-as-assistant', `reads as an assistant reply (${phrase.name}: "${phrase.matched}").`);
  return issues;
}

function checkAssistant(content: string, index: number, bounds: ValidationBounds): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const push = (code: ValidationIssue['code'], message: string): void => {
    issues.push({ level: 'error', code, messageIndex: index, message: `Assistant message ${index} ${message}` });
  };
  const reply = visibleReply(content);
  const garbling = describeGarbling(stripToolCalls(content), bounds);
  if (garbling !== undefined) push('garbled-text', `holds ${garbling}.`);
  const unbalanced = describeUnbalanced(reply);
  if (unbalanced !== undefined) push('unbalanced-markup', `has ${unbalanced}.`);
  const refusal = findPhrase(reply, REFUSAL_PHRASES);
  if (refusal !== undefined) push('refusal', `holds ${refusal.name}: "${refusal.matched}".`);
  // An empty visible reply is either `empty-reply` (nothing after the reasoning) or a reply that only calls tools.
  if (reply.length > 0 && reply.length < bounds.minReplyCharacters) push('reply-too-short', `is ${reply.length} characters long (visible reply); the bound is ${bounds.minReplyCharacters}.`);
  if (reply.length > bounds.maxReplyCharacters) push('reply-too-long', `is ${reply.length} characters long (visible reply); the bound is ${bounds.maxReplyCharacters}.`);
  return issues;
}

export function checkContent(conversation: SavedConversation, context: ResolvedContext): ValidationIssue[] {
  return conversation.conversations.flatMap((message, index) => {
    if (message.role === 'user') return checkUser(message.content, index, context.bounds);
    if (message.role === 'assistant') return checkAssistant(message.content, index, context.bounds);
    return [];
  });
}
