/**
 * The run's figures for the dataset card, gathered one exported conversation at a time (constant
 * memory: counters keyed by provider, model and tool name, never the conversations). Read from the
 * conversation as saved, before `--system-prompt` or `--no-system-prompt` moves its messages, so
 * `metadata.messages[i]` still describes `conversations[i]`.
 */
import { z } from 'zod';
import { readToolCalls, type SavedConversation } from '../format/index.js';
import type { SplitName } from './test-split.js';

/** Lines saved by older versions may lack any of these; a missing or odd field is left out of the figures, never fatal. */
const figuresMetadataSchema = z.object({
  providers: z.array(z.string()).optional().catch(undefined),
  messages: z.array(z.object({ provider: z.string(), model: z.string() }).nullable().catch(null)).optional().catch(undefined),
  createdAt: z.iso.datetime().optional().catch(undefined),
  dryRun: z.boolean().optional().catch(undefined),
  pipeline: z.string().optional().catch(undefined),
  pipelineVersion: z.string().optional().catch(undefined),
});

export interface DatasetFigures {
  readonly conversations: number;
  readonly bySplit: Readonly<Record<SplitName, number>>;
  readonly messages: number;
  /** Conversations that made at least one tool call. */
  readonly withToolCalls: number;
  readonly toolCalls: number;
  readonly failedToolCalls: number;
  /** Tool name -> calls, most called first. */
  readonly callsByTool: readonly (readonly [string, number])[];
  /** Provider -> conversations it served (one conversation counts for each provider after a failover). */
  readonly conversationsByProvider: readonly (readonly [string, number])[];
  /** `model (provider)` -> assistant replies written. */
  readonly repliesByModel: readonly (readonly [string, number])[];
  /** `model (provider)` -> simulated-user messages written. */
  readonly userMessagesByModel: readonly (readonly [string, number])[];
  /** `pipeline version` -> conversations. */
  readonly pipelines: readonly (readonly [string, number])[];
  readonly dryRun: number;
  /** ISO timestamps of the first and last conversation saved; undefined when no line recorded one. */
  readonly firstCreatedAt: string | undefined;
  readonly lastCreatedAt: string | undefined;
}

export class DatasetFiguresCounter {
  #conversations = 0;
  readonly #bySplit: Record<SplitName, number> = { train: 0, test: 0 };
  #messages = 0;
  #withToolCalls = 0;
  #toolCalls = 0;
  #failedToolCalls = 0;
  #dryRun = 0;
  #firstCreatedAt: string | undefined;
  #lastCreatedAt: string | undefined;
  readonly #callsByTool = new Map<string, number>();
  readonly #conversationsByProvider = new Map<string, number>();
  readonly #repliesByModel = new Map<string, number>();
  readonly #userMessagesByModel = new Map<string, number>();
  readonly #pipelines = new Map<string, number>();

  add(conversation: SavedConversation, split: SplitName): void {
    this.#conversations++;
    this.#bySplit[split]++;
    this.#messages += conversation.conversations.length;
    const calls = readToolCalls(conversation) ?? [];
    if (calls.length > 0) this.#withToolCalls++;
    for (const call of calls) {
      this.#toolCalls++;
      if (call.ok === false) this.#failedToolCalls++;
      increment(this.#callsByTool, call.name);
    }
    const metadata = figuresMetadataSchema.parse(conversation.metadata);
    if (metadata.dryRun === true) this.#dryRun++;
    for (const provider of new Set(metadata.providers ?? [])) increment(this.#conversationsByProvider, provider);
    if (metadata.pipeline !== undefined) increment(this.#pipelines, [metadata.pipeline, metadata.pipelineVersion].filter(Boolean).join(' '));
    this.#countAuthors(conversation, metadata.messages ?? []);
    if (metadata.createdAt !== undefined) {
      // ISO timestamps in UTC ("Z") compare in time order as text.
      if (this.#firstCreatedAt === undefined || metadata.createdAt < this.#firstCreatedAt) this.#firstCreatedAt = metadata.createdAt;
      if (this.#lastCreatedAt === undefined || metadata.createdAt > this.#lastCreatedAt) this.#lastCreatedAt = metadata.createdAt;
    }
  }

  figures(): DatasetFigures {
    return {
      conversations: this.#conversations,
      bySplit: { ...this.#bySplit },
      messages: this.#messages,
      withToolCalls: this.#withToolCalls,
      toolCalls: this.#toolCalls,
      failedToolCalls: this.#failedToolCalls,
      callsByTool: mostFirst(this.#callsByTool),
      conversationsByProvider: mostFirst(this.#conversationsByProvider),
      repliesByModel: mostFirst(this.#repliesByModel),
      userMessagesByModel: mostFirst(this.#userMessagesByModel),
      pipelines: mostFirst(this.#pipelines),
      dryRun: this.#dryRun,
      firstCreatedAt: this.#firstCreatedAt,
      lastCreatedAt: this.#lastCreatedAt,
    };
  }

  #countAuthors(conversation: SavedConversation, authors: readonly ({ provider: string; model: string } | null)[]): void {
    conversation.conversations.forEach((message, index) => {
      const author = authors[index];
      if (author === undefined || author === null) return;
      const name = `${author.model} (${author.provider})`;
      if (message.role === 'assistant') increment(this.#repliesByModel, name);
      else if (message.role === 'user') increment(this.#userMessagesByModel, name);
    });
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Most first, then by name, so the card reads the same for the same data. */
function mostFirst(counts: ReadonlyMap<string, number>): (readonly [string, number])[] {
  return [...counts].sort(([nameA, countA], [nameB, countB]) => countB - countA || nameA.localeCompare(nameB));
}
