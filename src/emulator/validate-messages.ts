import type { ProviderType } from '../core/types.js';
import type { ChatMessage } from './request-body.js';

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);
/** The exception the chat templates of open models (TGI, vLLM) raise, word for word. */
const ALTERNATION = 'Conversation roles must alternate user/assistant/user/assistant/...';

/**
 * The message rules real APIs (and the chat templates of open models served locally) enforce.
 * Returns the error message of the first violation, or undefined when the conversation is valid.
 * Nightshift never sends the `tool` role; the tool rules guard against that regressing.
 */
export function validateMessages(
  provider: ProviderType,
  messages: readonly (ChatMessage | undefined)[],
): string | undefined {
  if (messages.length === 0) {
    return "Invalid 'messages': empty array. Expected an array with minimum length 1.";
  }
  const shapeError = checkShapes(messages);
  if (shapeError !== undefined) return shapeError;
  const checked = messages as readonly ChatMessage[];
  return checkOrder(provider, checked) ?? checkLast(provider, checked);
}

function checkShapes(messages: readonly (ChatMessage | undefined)[]): string | undefined {
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index];
    if (message === undefined) return `Invalid 'messages[${index}]': expected an object with a 'role'.`;
    if (!ROLES.has(message.role)) {
      return `Invalid 'messages[${index}].role': '${message.role}'. Expected one of system, user, assistant, tool.`;
    }
    const mayBeEmpty = message.role === 'assistant' && (message.toolCallIds?.length ?? 0) > 0;
    if (!message.contentIsString && !(mayBeEmpty && message.content === undefined)) {
      return `Invalid 'messages[${index}].content': expected a string.`;
    }
  }
  return undefined;
}

function checkOrder(provider: ProviderType, messages: readonly ChatMessage[]): string | undefined {
  let previous: ChatMessage | undefined;
  let lastAssistant: ChatMessage | undefined;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as ChatMessage;
    const error = checkTransition(provider, previous, lastAssistant, message, index);
    if (error !== undefined) return error;
    if (message.role === 'assistant') lastAssistant = message;
    previous = message;
  }
  return undefined;
}

function checkTransition(
  provider: ProviderType,
  previous: ChatMessage | undefined,
  lastAssistant: ChatMessage | undefined,
  message: ChatMessage,
  index: number,
): string | undefined {
  const before = previous?.role ?? 'none';
  const unexpected = (): string =>
    provider === 'mistral'
      ? `Unexpected role '${message.role}' after role '${before}'`
      : `${ALTERNATION} (messages[${index}] is '${message.role}' after '${before}').`;
  switch (message.role) {
    case 'system':
      return index === 0 ? undefined : unexpected();
    case 'user':
      if (before === 'tool') return provider === 'mistral' ? unexpected() : undefined;
      return before === 'none' || before === 'system' || before === 'assistant' ? undefined : unexpected();
    case 'assistant':
      return before === 'user' || before === 'tool' ? undefined : unexpected();
    default:
      return checkTool(provider, before, lastAssistant, message, index, unexpected);
  }
}

function checkTool(
  provider: ProviderType,
  before: string,
  lastAssistant: ChatMessage | undefined,
  message: ChatMessage,
  index: number,
  unexpected: () => string,
): string | undefined {
  const afterCalls = before === 'tool' || (before === 'assistant' && (lastAssistant?.toolCallIds?.length ?? 0) > 0);
  if (provider === 'mistral') return afterCalls ? undefined : unexpected();
  const ids = lastAssistant?.toolCallIds ?? [];
  if (afterCalls && message.toolCallId !== undefined && ids.includes(message.toolCallId)) return undefined;
  return (
    "Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' " +
    `(messages[${index}].tool_call_id is ${message.toolCallId === undefined ? 'missing' : `'${message.toolCallId}'`}).`
  );
}

function checkLast(provider: ProviderType, messages: readonly ChatMessage[]): string | undefined {
  const last = messages[messages.length - 1] as ChatMessage;
  if (last.role === 'user' || last.role === 'tool') return undefined;
  if (provider === 'mistral') {
    if (last.role === 'assistant' && last.prefix) return undefined;
    return `Expected last role User or Tool (or Assistant with prefix True) for serving but got ${last.role}`;
  }
  return `The last message must be from the user (or a tool result) for the model to answer, got '${last.role}' at messages[${messages.length - 1}].`;
}
