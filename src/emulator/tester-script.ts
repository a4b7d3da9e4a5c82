import { pick, type Random } from '../core/random.js';
import { isOpening, type ScriptContext } from './script-context.js';
import { casualize, contentWords, fill, visibleText } from './script-text.js';
import { FOLLOW_UPS, GREETINGS, TESTER_LEAKS, TOPIC_SWITCHES, TOPICS, type TesterTopic } from './tester-phrases.js';

/**
 * The simulated user's next message. The first message (no assistant turn yet) is an opening
 * on a topic (the system prompt's topic when it names one); later ones pick up words from the
 * last message the tester received, or now and then change the subject.
 */
export function testerReply(random: Random, context: ScriptContext): string {
  const opens = isOpening(context);
  const { memory, rest } = memoryRequests(context.systemPrompt);
  const phrases = memory === 'avoid' ? AVOIDING_MEMORY : ALL_PHRASES;
  let text = opens ? opening(random, topicFor(random, rest, phrases.topics)) : followUp(random, context, phrases);
  if (opens && memory === 'ask') text = joinPhrases([text, pick(random, MEMORY_ASKS)]);
  return casualize(random, text);
}

/**
 * What the tester's instructions say about Ada's memory and diary, read as a model would read
 * them: Ada's pipeline adds one of two sentences to the topic when it steers the tool share
 * (`--tool-share`). `ask`: the opening asks for her memory or diary; `avoid`: nothing the tester
 * says asks for them; `free`: today's mix, where some follow-ups do.
 */
type MemoryRequests = 'ask' | 'avoid' | 'free';
const AVOID_MEMORY = /\bdo not ask Ada to remember\b/i;
const ASK_MEMORY = /\balso ask Ada to remember\b/i;

/** `rest`: the prompt without that sentence, so its "diary" does not pick the topic. */
function memoryRequests(systemPrompt: string): { memory: MemoryRequests; rest: string } {
  for (const [memory, pattern] of [['avoid', AVOID_MEMORY], ['ask', ASK_MEMORY]] as const) {
    const found = pattern.exec(systemPrompt);
    if (found === null) continue;
    const start = Math.max(systemPrompt.lastIndexOf('.', found.index), systemPrompt.lastIndexOf('\n', found.index)) + 1;
    const end = systemPrompt.indexOf('.', found.index);
    return { memory, rest: systemPrompt.slice(0, start) + (end === -1 ? '' : systemPrompt.slice(end + 1)) };
  }
  return { memory: 'free', rest: systemPrompt };
}

/** Each one is a request the scripted assistant answers with a tool call (assistant-script.ts). */
const MEMORY_ASKS: readonly string[] = [
  'Can you remember that for next time?',
  'Do you remember what I told you last time?',
  'Can you put that in your diary?',
  'Please remember that about me.',
];

/** What would read as a request for Ada's memory or diary; left out when the instructions say to avoid them. */
const MEMORY_WORDS = /remember|diary|journal|forget|delete|told you|what did i|earlier|before\?|note that|write (?:that|it) down/i;

interface Phrases {
  readonly topics: readonly TesterTopic[];
  readonly followUps: readonly string[];
}

const ALL_PHRASES: Phrases = { topics: TOPICS, followUps: FOLLOW_UPS };

const AVOIDING_MEMORY: Phrases = {
  topics: TOPICS.map((topic) => ({
    ...topic,
    situations: topic.situations.filter((text) => !MEMORY_WORDS.test(text)),
    asks: topic.asks.filter((text) => !MEMORY_WORDS.test(text)),
  })).filter((topic) => topic.situations.length > 0 && topic.asks.length > 0),
  followUps: FOLLOW_UPS.filter((text) => !MEMORY_WORDS.test(text)),
};

/** Prepends what a tester model that broke role would leak. */
export function leakTesterReply(random: Random, text: string): string {
  return pick(random, TESTER_LEAKS) + text;
}

/** A lead-in that flows into the next words rather than ending a sentence. */
const FLOWING_LEAD_IN = /[a-z,]$/;

/** Whole-word patterns, built once: a bare substring test would read "exam" into "example". */
const TOPIC_PATTERNS: ReadonlyMap<string, RegExp> = new Map(TOPICS.map((topic) => [topic.keyword, new RegExp(`\\b${topic.keyword}s?\\b`, 'i')]));

function topicFor(random: Random, systemPrompt: string, topics: readonly TesterTopic[]): TesterTopic {
  if (systemPrompt.length > 0) {
    const named = topics.filter((topic) => TOPIC_PATTERNS.get(topic.keyword)?.test(systemPrompt) === true);
    if (named.length > 0) return pick(random, named);
  }
  return pick(random, topics);
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

function followUp(random: Random, context: ScriptContext, phrases: Phrases): string {
  // Ada's words are echoed back: told to avoid her memory, the tester does not echo "diary" either.
  const words = contentWords(visibleText(context.lastUserText)).filter((word) => phrases === ALL_PHRASES || !MEMORY_WORDS.test(word));
  if (words.length === 0 || random() < 0.12) {
    return joinPhrases([pick(random, TOPIC_SWITCHES), opening(random, pick(random, phrases.topics), '')]);
  }
  const first = pick(random, words);
  const others = words.filter((word) => word !== first);
  const second = others.length > 0 ? pick(random, others) : first;
  return fill(pick(random, phrases.followUps), [first, second]);
}
