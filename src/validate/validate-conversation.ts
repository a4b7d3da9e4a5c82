/**
 * Judges one finished conversation: every check runs, every issue is reported (a conversation
 * with three defects says so three times), and errors make the label false. Pure apart from the
 * near-duplicate lookup, which only reads; adding the conversation to the index is the caller's
 * step, once it is saved.
 */
import { readToolSchemas, visibleReply, type SavedConversation } from '../format/index.js';
import { checkContent } from './check-content.js';
import { checkRepetition } from './check-repetition.js';
import { checkStructure } from './check-structure.js';
import { checkThinking } from './check-thinking.js';
import { checkToolCalls } from './check-tool-calls.js';
import {
  DEFAULT_VALIDATION_BOUNDS,
  type ConversationCheck,
  type ResolvedContext,
  type ValidationContext,
  type ValidationIssue,
  type ValidationResult,
} from './validation-types.js';

/**
 * The text conversations are compared on across the dataset: the opening request and what the
 * assistant said (no reasoning, no call markup). The system prompt is the same everywhere and the
 * tester's later turns follow the replies, so neither tells two conversations apart.
 */
export function nearDuplicateText(conversation: SavedConversation): string {
  const opening = conversation.conversations.find((message) => message.role === 'user')?.content ?? '';
  const replies = conversation.conversations.filter((message) => message.role === 'assistant').map((message) => visibleReply(message.content));
  return [opening, ...replies].join('\n');
}

function checkNearDuplicate(conversation: SavedConversation, context: ResolvedContext): ValidationIssue[] {
  if (context.nearDuplicates === undefined) return [];
  const { duplicateOf, similarity } = context.nearDuplicates.check(conversation.id, nearDuplicateText(conversation));
  const { nearDuplicateWarning, nearDuplicateError } = context.bounds;
  if (duplicateOf === undefined || similarity < nearDuplicateWarning) return [];
  return [
    {
      level: similarity >= nearDuplicateError ? 'error' : 'warning',
      code: 'near-duplicate',
      message: `The opening request and replies are ${Math.round(similarity * 100)} % alike (estimated) to conversation ${duplicateOf}, saved earlier.`,
    },
  ];
}

/** Structure first: a reader of the report sees the conversation's shape before its wording. */
const CHECKS: readonly ConversationCheck[] = [checkStructure, checkThinking, checkToolCalls, checkContent, checkRepetition, checkNearDuplicate];

function resolveContext(conversation: SavedConversation, context: ValidationContext): ResolvedContext {
  return {
    tools: context.tools ?? readToolSchemas(conversation) ?? [],
    bounds: { ...DEFAULT_VALIDATION_BOUNDS, ...context.bounds },
    ...(context.nearDuplicates === undefined ? {} : { nearDuplicates: context.nearDuplicates }),
  };
}

export function validateConversation(conversation: SavedConversation, context: ValidationContext = {}): ValidationResult {
  const resolved = resolveContext(conversation, context);
  const issues = CHECKS.flatMap((check) => check(conversation, resolved));
  return { label: labelFor(issues), report: { issues } };
}

/** A conversation's label from its issues, whoever raised them (the validator, a judge): true unless one is an error. */
export function labelFor(issues: readonly { readonly level: string }[]): boolean {
  return !issues.some((issue) => issue.level === 'error');
}
