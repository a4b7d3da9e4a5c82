/**
 * The assistant repeating itself: a reply near-identical (Jaccard over word pairs) to an earlier
 * reply of the same conversation. Long replies repeated are a model in a loop (error); short stock
 * acknowledgements repeated word for word ("Done! I'll keep that in mind.") are only a warning.
 */
import { visibleReply, type SavedConversation } from '../format/index.js';
import { jaccard, shinglesOf, wordsOf } from './shingles.js';
import type { ResolvedContext, ValidationIssue } from './validation-types.js';

interface Reply {
  readonly index: number;
  readonly words: readonly string[];
  readonly shingles: ReadonlySet<string>;
}

function describeSimilarity(similarity: number): string {
  return similarity >= 1 ? 'identical' : `${Math.round(similarity * 100)} % alike`;
}

export function checkRepetition(conversation: SavedConversation, context: ResolvedContext): ValidationIssue[] {
  const { repeatedReplySimilarity, repeatedReplyMinimumWords } = context.bounds;
  const issues: ValidationIssue[] = [];
  const earlier: Reply[] = [];
  conversation.conversations.forEach((message, index) => {
    if (message.role !== 'assistant') return;
    const words = wordsOf(visibleReply(message.content));
    if (words.length === 0) return;
    const reply: Reply = { index, words, shingles: shinglesOf(words, 2) };
    const long = words.length >= repeatedReplyMinimumWords;
    for (const previous of earlier) {
      const bothLong = long && previous.words.length >= repeatedReplyMinimumWords;
      const similarity = bothLong ? jaccard(reply.shingles, previous.shingles) : previous.words.join(' ') === words.join(' ') ? 1 : 0;
      if (similarity < (bothLong ? repeatedReplySimilarity : 1)) continue;
      issues.push({
        level: bothLong ? 'error' : 'warning',
        code: 'repeated-reply',
        messageIndex: index,
        message: `Assistant message ${index} repeats message ${previous.index} (${describeSimilarity(similarity)}${bothLong ? '' : `, a short reply of ${words.length} words`}).`,
      });
      break;
    }
    earlier.push(reply);
  });
  return issues;
}
