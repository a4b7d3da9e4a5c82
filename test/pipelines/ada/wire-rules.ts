import type { WireMessage } from '../../../src/core/types.js';

/**
 * The strictest message rules among the APIs nightshift targets, checked independently of the
 * code under test: optional system first, then user/assistant strictly alternating, starting
 * and ending with user, no other roles, no empty content.
 */
export function wireRuleViolation(messages: readonly WireMessage[]): string | undefined {
  const roles = messages.map((message) => message.role as string);
  const body = roles[0] === 'system' ? roles.slice(1) : roles;
  if (body.length === 0) return 'no user message';
  for (let index = 0; index < body.length; index++) {
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (body[index] !== expected) return `position ${index} is ${body[index]}, expected ${expected} (roles: ${roles.join(',')})`;
  }
  if (body[body.length - 1] !== 'user') return `ends with ${body[body.length - 1]} (roles: ${roles.join(',')})`;
  const empty = messages.findIndex((message) => message.content.trim().length === 0);
  if (empty >= 0) return `message ${empty} is empty`;
  return undefined;
}
