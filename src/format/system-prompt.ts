/**
 * The thinking instruction of a saved system prompt: the pipeline records its exact text in
 * `metadata.thinkingInstruction`, and `export --strip-thinking` removes that text, so a model
 * trained on replies without reasoning is not told to reason.
 */
import { collapseBlankLines } from './blank-lines.js';
import type { SavedConversation } from './saved-conversation.js';

/** `metadata.thinkingInstruction` when it is a non-empty string. */
export function readThinkingInstruction(conversation: SavedConversation): string | undefined {
  const value = conversation.metadata['thinkingInstruction'];
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

/** The prompt without the instruction; `undefined` when the instruction is not in it (edited since). */
export function removeThinkingInstruction(systemPrompt: string, instruction: string): string | undefined {
  const at = systemPrompt.indexOf(instruction);
  if (at === -1) return undefined;
  const removed = systemPrompt.slice(0, at) + systemPrompt.slice(at + instruction.length);
  return collapseBlankLines(removed).trim();
}

/** Whether a system prompt still tells the model about `<think>` tags. */
export function mentionsThinkTags(systemPrompt: string): boolean {
  return /<\/?think>/i.test(systemPrompt);
}
