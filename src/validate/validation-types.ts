/**
 * What validation takes and returns. The report is saved on every line (`label`, `report.issues`,
 * issue 11), so its codes are a stable vocabulary: kebab-case, never renamed, new ones only added.
 */
import type { SavedConversation, ToolSchema } from '../format/index.js';

/** Every code a check can raise; `README.md` lists what each one means. */
export type IssueCode =
  // Structure: roles and order.
  | 'no-exchange'
  | 'system-not-first'
  | 'role-order'
  | 'ends-without-reply'
  // Structure: the reasoning block of each assistant reply.
  | 'missing-think'
  | 'unclosed-think'
  | 'orphan-think-close'
  | 'multiple-think'
  | 'text-before-think'
  | 'empty-think'
  | 'think-not-separated'
  | 'empty-reply'
  // Structure: tool calls and their results.
  | 'tool-call-unparseable'
  | 'tool-unknown'
  | 'tool-arguments-invalid'
  | 'tool-result-missing'
  | 'tool-result-unexpected'
  | 'tool-status-missing'
  | 'tool-failed'
  // Content.
  | 'empty-message'
  | 'garbled-text'
  | 'unbalanced-markup'
  | 'refusal'
  | 'tester-as-assistant'
  | 'reply-too-short'
  | 'reply-too-long'
  | 'message-too-long'
  | 'repeated-reply'
  | 'near-duplicate';

export interface ValidationIssue {
  /** `error` makes the conversation invalid (label false); `warning` is kept for the report. */
  readonly level: 'error' | 'warning';
  readonly code: IssueCode;
  /** What was found and where (message index), in words a person reads in the report. */
  readonly message: string;
  /** Index in `conversations` of the message concerned, when there is one. */
  readonly messageIndex?: number;
}

export interface ValidationReport {
  readonly issues: readonly ValidationIssue[];
}

export interface ValidationResult {
  /** True when no issue is an error. */
  readonly label: boolean;
  readonly report: ValidationReport;
}

/** Limits the content checks apply; every one may be overridden in the context. */
export interface ValidationBounds {
  /** Visible characters (no reasoning, no call markup) an assistant reply must reach; 0 disables. @default 1 */
  readonly minReplyCharacters: number;
  /** Visible characters an assistant reply may hold. @default 6000 */
  readonly maxReplyCharacters: number;
  /** Characters a user message may hold (a tester that rambles on). @default 4000 */
  readonly maxUserCharacters: number;
  /** A run of this many characters without a letter or a space reads as garbled. @default 32 */
  readonly garbledRunLength: number;
  /** Replies at least this similar (word-pair Jaccard, 0..1) count as the same reply. @default 0.8 */
  readonly repeatedReplySimilarity: number;
  /**
   * Replies shorter than this many words ("Done!", "All set. Anything else?") may recur without
   * error: a stock acknowledgement after each tool call is how people talk; a repeated paragraph
   * is a model in a loop. Short exact repeats are a warning. @default 10
   */
  readonly repeatedReplyMinimumWords: number;
  /** Estimated similarity to an earlier conversation from which it is a `near-duplicate` warning. @default 0.8 */
  readonly nearDuplicateWarning: number;
  /** Estimated similarity from which a `near-duplicate` is an error. @default 0.95 */
  readonly nearDuplicateError: number;
}

export const DEFAULT_VALIDATION_BOUNDS: ValidationBounds = Object.freeze({
  minReplyCharacters: 1,
  maxReplyCharacters: 6000,
  maxUserCharacters: 4000,
  garbledRunLength: 32,
  repeatedReplySimilarity: 0.8,
  repeatedReplyMinimumWords: 10,
  nearDuplicateWarning: 0.8,
  nearDuplicateError: 0.95,
});

/** The part of a near-duplicate index validation reads (`openNearDuplicateIndex` returns one). */
export interface NearDuplicateLookup {
  /** The most similar earlier document other than `id`, when one reaches the index's threshold. */
  check(id: string, text: string): { readonly duplicateOf?: string; readonly similarity: number };
}

export interface ValidationContext {
  /**
   * The tools the conversation could call (names and JSON Schemas).
   * @default the conversation's `metadata.tools`; without either, every call is `tool-unknown`
   */
  readonly tools?: readonly ToolSchema[];
  /** @default DEFAULT_VALIDATION_BOUNDS */
  readonly bounds?: Partial<ValidationBounds>;
  /** When given, the conversation is compared with the ones already added to it (not added itself). */
  readonly nearDuplicates?: NearDuplicateLookup;
}

/** One check over a conversation; `validateConversation` runs them all. */
export type ConversationCheck = (conversation: SavedConversation, context: ResolvedContext) => ValidationIssue[];

export interface ResolvedContext {
  readonly tools: readonly ToolSchema[];
  readonly bounds: ValidationBounds;
  readonly nearDuplicates?: NearDuplicateLookup;
}
