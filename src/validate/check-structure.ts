/**
 * Roles and order: an optional system prompt first, then user and assistant in turn, tool results
 * only after an assistant reply (and before the next reply), and the conversation ends on a reply.
 * A conversation that breaks this cannot be rendered by a chat template the way it was generated.
 */
import type { SavedConversation, SavedMessage } from '../format/index.js';
import type { ValidationIssue } from './validation-types.js';

type Role = SavedMessage['role'];

/** Which roles may follow each role. */
const ALLOWED_NEXT: Readonly<Record<Role, readonly Role[]>> = {
  system: ['user'],
  user: ['assistant'],
  assistant: ['user', 'tool'],
  tool: ['tool', 'assistant'],
};

export function checkStructure(conversation: SavedConversation): ValidationIssue[] {
  const messages = conversation.conversations;
  const issues: ValidationIssue[] = [];
  const hasUser = messages.some((message) => message.role === 'user');
  const hasReply = messages.some((message) => message.role === 'assistant');
  if (!hasUser || !hasReply) {
    const missing = [hasUser ? undefined : 'a user message', hasReply ? undefined : 'an assistant reply'].filter(Boolean).join(' and ');
    issues.push({ level: 'error', code: 'no-exchange', message: `The conversation has ${messages.length} messages but no exchange: ${missing} is missing.` });
    return issues;
  }
  messages.forEach((message, index) => {
    if (message.role === 'system' && index > 0) {
      issues.push({ level: 'error', code: 'system-not-first', messageIndex: index, message: `Message ${index} is a system message; only message 0 may be one.` });
      return;
    }
    const previous = index === 0 ? undefined : messages[index - 1];
    if (previous === undefined) {
      if (message.role !== 'system' && message.role !== 'user') {
        issues.push({ level: 'error', code: 'role-order', messageIndex: index, message: `Message 0 is ${message.role}; a conversation opens with a system or user message.` });
      }
      return;
    }
    // A misplaced system message was reported above; what follows it is judged by the role before it.
    if (previous.role === 'system' && index > 1) return;
    if (!ALLOWED_NEXT[previous.role].includes(message.role)) {
      issues.push({
        level: 'error',
        code: 'role-order',
        messageIndex: index,
        message: `Message ${index} is ${message.role} after ${previous.role} (message ${index - 1}); after ${previous.role} comes ${ALLOWED_NEXT[previous.role].join(' or ')}.`,
      });
    }
  });
  const last = messages[messages.length - 1] as SavedMessage;
  if (last.role !== 'assistant') {
    issues.push({ level: 'error', code: 'ends-without-reply', messageIndex: messages.length - 1, message: `The last message (${messages.length - 1}) is ${last.role}; a conversation ends on an assistant reply.` });
  }
  return issues;
}
