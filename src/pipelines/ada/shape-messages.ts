/**
 * What is SENT versus what is SAVED.
 *
 * Saved conversations use the roles system/user/assistant/tool (DESIGN.md). What is sent must be
 * accepted by every API we target (brief: "What the real APIs accept"): Mistral refuses `user`
 * after `tool` and a last message other than user/tool; Together and OpenAI-compatible servers
 * refuse a `tool` message without the `tool_call_id` of a native call; chat templates of open
 * models demand strict alternation. Our tool calls are text, so every request is shaped into:
 * one optional `system`, then `user`/`assistant` alternating, starting and ending with `user`.
 */
import type { WireMessage } from '../../core/types.js';
import type { SavedMessage } from '../../format/index.js';
import { formatToolResponses, removeThinking, visibleReply } from '../../format/index.js';

/** The tester's first `user` message: its view must start with `user`, before its own first line. */
export const TESTER_KICKOFF = 'The chat with Ada starts now. Write your first message to her.';

type ChatRole = 'user' | 'assistant';

/**
 * Merges consecutive messages of one role (blank line between them), drops empty ones, and puts
 * the system messages first as one. Throws when the result would not start and end with `user`:
 * that is a bug in the caller, and sending it would be a 400 on every real API.
 */
export function alternateRoles(messages: readonly WireMessage[]): WireMessage[] {
  const system: string[] = [];
  const chat: { role: ChatRole; content: string }[] = [];
  for (const message of messages) {
    const content = message.content.trim();
    if (content.length === 0) continue;
    if (message.role === 'system') {
      system.push(content);
      continue;
    }
    const last = chat[chat.length - 1];
    if (last !== undefined && last.role === message.role) last.content = `${last.content}\n\n${content}`;
    else chat.push({ role: message.role, content });
  }
  if (chat[0]?.role !== 'user' || chat[chat.length - 1]?.role !== 'user') {
    const roles = chat.map((message) => message.role).join(',') || 'nothing';
    throw new Error(`A request must start and end with a user message after the system prompt; got ${roles}`);
  }
  const shaped: WireMessage[] = system.length > 0 ? [{ role: 'system', content: system.join('\n\n') }] : [];
  return shaped.concat(chat);
}

/**
 * Ada's request: her system prompt and the whole conversation, tool results as one `user`
 * message of `<tool_response>` blocks. Reasoning of earlier turns is left out, as Qwen3's chat
 * template does: it costs tokens and the model never sees it in training either; the reasoning of
 * the current turn (since the last user message) stays, so Ada continues her plan after a result.
 */
export function shapeAssistantRequest(saved: readonly SavedMessage[]): WireMessage[] {
  let lastUser = -1;
  saved.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
  });
  const wire: WireMessage[] = [];
  for (let index = 0; index < saved.length; index++) {
    const message = saved[index] as SavedMessage;
    if (message.role === 'tool') {
      const results: SavedMessage[] = [];
      while (saved[index]?.role === 'tool') results.push(saved[index++] as SavedMessage);
      index--;
      wire.push({ role: 'user', content: formatToolResponses(results) });
    } else if (message.role === 'assistant' && index < lastUser) {
      wire.push({ role: 'assistant', content: removeThinking(message.content) });
    } else {
      wire.push({ role: message.role, content: message.content });
    }
  }
  return alternateRoles(wire);
}

/**
 * The tester's request, roles flipped: Ada's visible replies (no reasoning, no tool-call markup)
 * are the `user` side, the simulated user's own earlier messages are `assistant`. Ada's system
 * prompt and the tool results stay hidden: a real person sees neither.
 */
export function shapeTesterRequest(
  testerPrompt: string,
  saved: readonly SavedMessage[],
  kickoff: string = TESTER_KICKOFF,
): WireMessage[] {
  const wire: WireMessage[] = [
    { role: 'system', content: testerPrompt },
    { role: 'user', content: kickoff },
  ];
  for (const message of saved) {
    if (message.role === 'user') wire.push({ role: 'assistant', content: message.content });
    else if (message.role === 'assistant') wire.push({ role: 'user', content: visibleReply(message.content) });
  }
  return alternateRoles(wire);
}

/** The rewriter's request: its instructions and one `user` message with the material. */
export function shapeRewriterRequest(rewriterPrompt: string, material: string): WireMessage[] {
  return alternateRoles([
    { role: 'system', content: rewriterPrompt },
    { role: 'user', content: material },
  ]);
}
