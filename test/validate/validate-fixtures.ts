/**
 * Conversations the real daemon wrote, for the validation tests. test/fixtures/validate/
 * daemon-conversations.jsonl is the output of the current daemon (`npx tsx src/cli/main.ts generate
 * --offline --seed 7 --target 10 --users 8 --turns 2-3 --concurrency 3`, the command of
 * scripts/make-export-fixture.ts); test/fixtures/store/daemon-conversations.jsonl is the same run
 * written by the daemon before replies were saved with a blank line after `</think>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConversationLine, readToolCalls, type SavedConversation, type SavedMessage } from '../../src/format/index.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const CURRENT_DAEMON_FIXTURE = path.join(FIXTURES, 'validate/daemon-conversations.jsonl');
export const EARLIER_DAEMON_FIXTURE = path.join(FIXTURES, 'store/daemon-conversations.jsonl');
export const HAND_WRITTEN_FIXTURE = path.join(FIXTURES, 'store/conversations.jsonl');

export function readConversations(file: string): SavedConversation[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const parsed = parseConversationLine(line);
      if (!parsed.ok) throw new Error(`${file}: ${parsed.reason}`);
      return parsed.conversation;
    });
}

/**
 * A real conversation with a reply that makes exactly one `add_memory` call, and where that reply
 * and its result sit: the base every corrupted variant starts from.
 */
export function conversationWithOneCall(): { conversation: SavedConversation; callIndex: number; resultIndex: number } {
  for (const conversation of readConversations(CURRENT_DAEMON_FIXTURE)) {
    const calls = readToolCalls(conversation) ?? [];
    const call = calls.find((record) => record.name === 'add_memory' && calls.filter((other) => other.messageIndex === record.messageIndex).length === 1);
    const last = conversation.conversations[conversation.conversations.length - 1];
    if (call !== undefined && last?.role === 'assistant' && conversation.conversations.length >= call.resultIndex + 2) {
      return { conversation, callIndex: call.messageIndex, resultIndex: call.resultIndex };
    }
  }
  throw new Error(`${CURRENT_DAEMON_FIXTURE} holds no conversation with a single add_memory call; regenerate it (see this file's header).`);
}

/** `conversation` with its messages replaced by what `change` makes of a copy of them. */
export function withMessages(conversation: SavedConversation, change: (messages: SavedMessage[]) => void): SavedConversation {
  const messages = conversation.conversations.map((message) => ({ ...message }));
  change(messages);
  return { ...conversation, conversations: messages };
}

/** `conversation` with the content of message `index` replaced. */
export function withContent(conversation: SavedConversation, index: number, content: string | ((content: string) => string)): SavedConversation {
  return withMessages(conversation, (messages) => {
    const message = messages[index];
    if (message === undefined) throw new Error(`no message ${index}`);
    messages[index] = { role: message.role, content: typeof content === 'string' ? content : content(message.content) };
  });
}
