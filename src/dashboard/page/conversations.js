// The last saved conversations, readable: roles in order, reasoning folded, each tool call beside its result.
import { element } from './dom.js';

function renderCall(call) {
  return element(
    'div',
    { class: call.ok === false ? 'call failed' : 'call' },
    `→ ${call.name}(${call.arguments})`,
    call.result === undefined ? null : element('span', { class: 'result' }, `← ${call.result}`),
  );
}

function renderMessage(message) {
  if (message.role === 'system') {
    return element('details', { class: 'message system' }, element('summary', {}, 'system prompt'), message.text);
  }
  return element(
    'div',
    { class: `message ${message.role}` },
    element('span', { class: 'role' }, message.role),
    message.reasoning.map((reasoning) =>
      element('details', { class: 'reasoning' }, element('summary', {}, 'reasoning (<think>)'), reasoning),
    ),
    message.text,
    message.calls.map(renderCall),
  );
}

export function renderConversations(container, conversations, openIds) {
  const nodes = conversations.map((conversation, index) => {
    const title = [
      conversation.createdAt === null ? conversation.id : `${conversation.createdAt.replace('T', ' ').slice(0, 19)} UTC`,
      conversation.providers.join(', '),
      `${conversation.messages.filter((message) => message.role !== 'system').length} messages`,
      conversation.issueCodes.length === 0 ? null : `issues: ${conversation.issueCodes.join(', ')}`,
    ].filter(Boolean);
    return element(
      'details',
      { class: 'conversation', 'data-id': conversation.id, open: openIds.has(conversation.id) || (openIds.size === 0 && index === 0) },
      element('summary', {}, title.join(' · ')),
      conversation.messages.map(renderMessage),
    );
  });
  container.replaceChildren(...nodes);
  if (conversations.length === 0) container.append(element('p', { class: 'muted' }, 'none saved yet'));
}
