import type { SavedConversation, SavedMessage } from '../format/index.js';

/**
 * The `from` value for a tool result. ShareGPT has no standard for it:
 * - `tool` (default): Axolotl's `chat_template` loader maps `tool` to the tool role by default
 *   (with `message_property_mappings: {role: from, content: value}`).
 * - `observation`: LLaMA-Factory's default `observation_tag`; LLaMA-Factory also requires
 *   human/observation and gpt turns to alternate, so consecutive tool results are merged into one
 *   observation (joined by a newline). Either trainer can be told the other name in its config.
 * Tool calls stay inside the `gpt` turn as the model wrote them (`<tool_call>…</tool_call>`), so a
 * Hermes/Qwen chat template reproduces them; LLaMA-Factory's separate `function_call` turn is not used.
 */
export type ShareGptToolRole = 'tool' | 'observation';

export type ShareGptFrom = 'system' | 'human' | 'gpt' | ShareGptToolRole;

export interface ShareGptTurn {
  readonly from: ShareGptFrom;
  readonly value: string;
}

export interface ShareGptRecord {
  readonly conversations: readonly ShareGptTurn[];
}

const FROM_BY_ROLE: Readonly<Record<Exclude<SavedMessage['role'], 'tool'>, ShareGptFrom>> = {
  system: 'system',
  user: 'human',
  assistant: 'gpt',
};

export function toShareGptRecord(conversation: SavedConversation, toolRole: ShareGptToolRole): ShareGptRecord {
  const turns: ShareGptTurn[] = [];
  for (const message of conversation.conversations) {
    if (message.role !== 'tool') {
      turns.push({ from: FROM_BY_ROLE[message.role], value: message.content });
      continue;
    }
    const previous = turns.at(-1);
    if (toolRole === 'observation' && previous?.from === 'observation') {
      turns[turns.length - 1] = { from: 'observation', value: `${previous.value}\n${message.content}` };
    } else {
      turns.push({ from: toolRole, value: message.content });
    }
  }
  return { conversations: turns };
}
