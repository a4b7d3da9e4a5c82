import { pick, type Random } from '../core/random.js';
import type { ScriptContext } from './script-context.js';
import { casualize, contentWords, fill, visibleText } from './script-text.js';
import { FOLLOW_UPS, GREETINGS, TESTER_LEAKS, TOPIC_SWITCHES, TOPICS, type TesterTopic } from './tester-phrases.js';

/**
 * The simulated user's next message. The first message (no assistant turn yet) is an opening
 * on a topic (the system prompt's topic when it names one); later ones pick up words from the
 * last message the tester received, or now and then change the subject.
 */
export function testerReply(random: Random, context: ScriptContext): string {
  const isOpening = !context.messages.some((message) => message.role === 'assistant');
  const text = isOpening ? opening(random, topicFor(random, context.systemPrompt)) : followUp(random, context);
  return casualize(random, text);
}

/** Prepends what a tester model that broke role would leak. */
export function leakTesterReply(random: Random, text: string): string {
  return pick(random, TESTER_LEAKS) + text;
}

/** A lead-in that flows into the next words rather than ending a sentence. */
const FLOWING_LEAD_IN = /[a-z,]$/;

/** Whole-word patterns, built once: a bare substring test would read "exam" into "example". */
const TOPIC_PATTERNS: readonly (readonly [TesterTopic, RegExp])[] = TOPICS.map((topic) => [
  topic,
  new RegExp(`\\b${topic.keyword}s?\\b`, 'i'),
]);

function topicFor(random: Random, systemPrompt: string): TesterTopic {
  if (systemPrompt.length > 0) {
    const named = TOPIC_PATTERNS.filter(([, pattern]) => pattern.test(systemPrompt)).map(([topic]) => topic);
    if (named.length > 0) return pick(random, named);
  }
  return pick(random, TOPICS);
}

function opening(random: Random, topic: TesterTopic, greeting = pick(random, GREETINGS)): string {
  const situation = pick(random, topic.situations);
  const ask = random() < 0.85 ? pick(random, topic.asks) : '';
  return joinPhrases([greeting, situation, ask]);
}

/** Joins with spaces; after a lead-in that does not end a sentence ("Also,", "ok so"), lowercase. */
function joinPhrases(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) {
    if (part.length === 0) continue;
    if (text.length === 0) text = part;
    else if (FLOWING_LEAD_IN.test(text) && !part.startsWith('I ') && !part.startsWith("I'")) text += ` ${lowerFirst(part)}`;
    else text += ` ${part}`;
  }
  return text;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function followUp(random: Random, context: ScriptContext): string {
  const words = contentWords(visibleText(context.lastUserText));
  if (words.length === 0 || random() < 0.12) {
    return joinPhrases([pick(random, TOPIC_SWITCHES), opening(random, pick(random, TOPICS), '')]);
  }
  const first = pick(random, words);
  const others = words.filter((word) => word !== first);
  const second = others.length > 0 ? pick(random, others) : first;
  return fill(pick(random, FOLLOW_UPS), [first, second]);
}
