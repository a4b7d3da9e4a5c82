import path from 'node:path';
import type { SavedConversation } from '../format/index.js';
import { ConversationStore } from './conversation-store.js';

/** `data/trainingData/out.jsonl` → `data/trainingData/out_invalid.jsonl`: the file beside it for conversations labelled false. */
export function invalidOutputPath(outputPath: string): string {
  const extension = path.extname(outputPath);
  return `${outputPath.slice(0, outputPath.length - extension.length)}_invalid${extension || '.jsonl'}`;
}

/**
 * The invalid file, opened at its first conversation (a run that labels nothing false leaves no
 * empty file behind), with the same one-write, fsynced appends as the output.
 */
export class InvalidOutput {
  readonly path: string;
  #store: Promise<ConversationStore> | undefined;

  constructor(outputPath: string) {
    this.path = invalidOutputPath(outputPath);
  }

  async append(conversation: SavedConversation): Promise<boolean> {
    this.#store ??= ConversationStore.open(this.path).then((opened) => opened.store);
    return (await this.#store).append(conversation);
  }

  async close(): Promise<void> {
    if (this.#store !== undefined) await (await this.#store).close();
  }
}
