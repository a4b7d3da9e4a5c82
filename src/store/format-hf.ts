import type { SavedConversation, ToolSchema } from '../format/index.js';
import { declaredToolsOf } from './format-openai.js';

/**
 * One row of the `hf` export, the conversational shape TRL's `SFTTrainer` reads: `messages` of
 * `role`/`content` only (tool calls stay in the reply as the saved `<tool_call>` markup, results are
 * `tool` messages, as Qwen/Hermes-style templates render them), `tools` as JSON text because each
 * tool's parameter schema has its own keys, which Arrow would merge into one sparse struct.
 */
export interface HfRow {
  readonly id: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  /** `JSON.stringify` of the tools declared (`[]` when none): `json.loads(row["tools"])` gives `apply_chat_template`'s `tools`. */
  readonly tools: string;
}

/** A column of `dataset_info.features` in the card's terms: a scalar dtype, or a list of structs of scalars. */
export type HfFeature =
  | { readonly name: string; readonly dtype: 'string' }
  | { readonly name: string; readonly list: readonly { readonly name: string; readonly dtype: 'string' }[] };

/** The columns of every row, in the order `toHfRow` writes them; the card declares exactly these. */
export const HF_FEATURES: readonly HfFeature[] = [
  { name: 'id', dtype: 'string' },
  {
    name: 'messages',
    list: [
      { name: 'role', dtype: 'string' },
      { name: 'content', dtype: 'string' },
    ],
  },
  { name: 'tools', dtype: 'string' },
];

export function toHfRow(conversation: SavedConversation, fallbackTools: readonly ToolSchema[] = []): HfRow {
  return {
    id: conversation.id,
    messages: conversation.conversations.map(({ role, content }) => ({ role, content })),
    tools: JSON.stringify(declaredToolsOf(conversation, fallbackTools)),
  };
}
