import { pick, type Random } from '../core/random.js';
import type { ScriptContext } from './script-context.js';
import { clip, contentWords, fill, thinkContent } from './script-text.js';

const OPENINGS: readonly string[] = [
  'Let me work through this carefully before answering.',
  'Before I reply, let me think about what the user actually needs.',
  'Let me reason about this step by step.',
  'First, what is the user really asking for here?',
];

const BODIES: readonly string[] = [
  'The key points are {0} and {1}. I should address {0} first, because everything else depends on it, and only then mention {1}.',
  'They care most about {0}. {1} matters too, but bringing it up too early would make the answer harder to follow.',
  'The core of it is {0}. If I connect it to {1}, the answer becomes concrete instead of generic.',
  'There are two threads: {0} and {1}. A good answer picks the one that helps right now and keeps the other for a follow-up.',
];

const CLOSINGS: readonly string[] = [
  'So I will give one clear, practical step and check whether they want more detail.',
  'The best reply is short, warm and specific, and it should not assume anything they did not say.',
  'I will keep it concise, avoid jargon, and end with a question that moves things forward.',
  'That means a direct answer first, then a brief reason, then an offer to go deeper.',
];

/**
 * The rewriter's improved reasoning: built from the original's key words but worded anew, so
 * the result is always different from the input (tests check the original was replaced).
 */
export function rewriterReply(random: Random, context: ScriptContext): string {
  const original = thinkContent(context.lastUserText);
  const words = contentWords(original);
  const first = words[0] ?? 'the request';
  const second = words.length > 1 ? pick(random, words.slice(1)) : 'the context';
  const rewritten = [pick(random, OPENINGS), fill(pick(random, BODIES), [first, second]), pick(random, CLOSINGS)].join(' ');
  // A rewrite of a rewrite could in principle come out identical; the tail guarantees a change.
  const improved = rewritten === original ? `${rewritten} (Reconsidered: ${clip(original, 40)})` : rewritten;
  return `<think>${improved}</think>`;
}
