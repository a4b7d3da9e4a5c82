import type { Random } from '../core/random.js';

const THINK_BLOCK = /<think>[\s\S]*?(?:<\/think>|$)/gi;
const TOOL_CALL_BLOCK = /<tool_call>[\s\S]*?(?:<\/tool_call>|$)/gi;
const MISTRAL_CALLS = /\[TOOL_CALLS\][\s\S]*$/;
const PLAIN_CALL = /^tool_call:.*$|^arguments:.*$/gim;
const TOOL_RESPONSE_TAGS = /<\/?tool_response>/gi;
const WORD = /[A-Za-z][A-Za-z'-]{4,}/g;
const THINK_CONTENT = /<think>([\s\S]*?)(?:<\/think>|$)/i;
const SENTENCE_END = /(?<=[.!?])\s+/;
const TRAILING_APOSTROPHES = /['-]+$/;
const WHITESPACE_RUN = /\s+/g;
const PLACEHOLDER = /\{(\d)\}/g;
const LONG_LOWER_WORD = /[a-z]{6,}/g;
const END_PUNCTUATION = /[.?!]+$/;
const OPTIONAL_END_PUNCTUATION = /[.?!]*$/;

const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'about above after again against their there these those would could should which while where ' +
    'being doing having other every under until whose whom into from with your yours yourself ' +
    'think thing things really maybe might something anything nothing because still since though ' +
    'what when that this they them then than just also very much more most some such only same ' +
    "hello thanks thank great sounds sure happy help here let's it's that's i'm you're don't can't " +
    'answer question questions asking reply short simple first start started going little make ' +
    'remember memory memories tool_call arguments diary saved today okay right pretty quite ' +
    'write quick actually change changing before always never people trying using getting around ' +
    'everything someone anyone another whether without within across between through during along ' +
    'usually second better worse enough helps makes sense worth wants wanted instead later tomorrow ' +
    "yesterday sorry kinda least point ideas based keeps given likes weeks doesn't isn't didn't won't " +
    "you'll i'll i've they're there's what's wouldn't couldn't shouldn't"
  ).split(' '),
);

/** FNV-1a over several strings, continuing one state, so no joined copy of a long conversation is made. */
export function hashTexts(seed: number, texts: Iterable<string>): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  for (const text of texts) {
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0xff;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The visible words of a model message: reasoning, tool calls and tags removed. */
export function visibleText(text: string): string {
  return text
    .replace(THINK_BLOCK, ' ')
    .replace(TOOL_CALL_BLOCK, ' ')
    .replace(MISTRAL_CALLS, ' ')
    .replace(PLAIN_CALL, ' ')
    .replace(TOOL_RESPONSE_TAGS, ' ')
    .trim();
}

/** The reasoning inside `<think>`, or the whole text when there is no tag. */
export function thinkContent(text: string): string {
  const match = THINK_CONTENT.exec(text);
  return (match?.[1] ?? text).trim();
}

/** Distinct content words (5+ letters, no stopwords), lowercased, in order of appearance. */
export function contentWords(text: string, limit = 12): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase().replace(TRAILING_APOSTROPHES, '');
    if (word.length < 5 || STOPWORDS.has(word) || words.includes(word)) continue;
    words.push(word);
    if (words.length >= limit) break;
  }
  return words;
}

export function sentences(text: string): string[] {
  return text.split(SENTENCE_END).filter((sentence) => sentence.trim().length > 0);
}

export function clip(text: string, maximum: number): string {
  const flat = text.replace(WHITESPACE_RUN, ' ').trim();
  return flat.length <= maximum ? flat : `${flat.slice(0, maximum - 1).trimEnd()}…`;
}

/** Fills `{0}`, `{1}`, ... placeholders. */
export function fill(template: string, values: readonly string[]): string {
  return template.replace(PLACEHOLDER, (_, digit: string) => values[Number(digit)] ?? '');
}

/** Swaps two letters inside one longer word, like a hurried typist. */
export function misspell(random: Random, text: string): string {
  const candidates = [...text.matchAll(LONG_LOWER_WORD)];
  if (candidates.length === 0) return text;
  const match = candidates[Math.floor(random() * candidates.length)] as RegExpMatchArray;
  const word = match[0];
  const at = 1 + Math.floor(random() * (word.length - 3));
  const swapped = word.slice(0, at) + (word[at + 1] ?? '') + (word[at] ?? '') + word.slice(at + 2);
  const start = match.index ?? 0;
  return text.slice(0, start) + swapped + text.slice(start + word.length);
}

/** Makes a message look typed by a person in a hurry: lowercase, dropped punctuation, typos, hedges. */
export function casualize(random: Random, text: string): string {
  let result = text;
  if (random() < 0.3) result = result.toLowerCase();
  if (random() < 0.1) result = misspell(random, result);
  const ending = random();
  if (ending < 0.12) result = result.replace(END_PUNCTUATION, '');
  else if (ending < 0.2) result = result.replace(OPTIONAL_END_PUNCTUATION, ' idk');
  else if (ending < 0.26) result = result.replace(OPTIONAL_END_PUNCTUATION, ' or something?');
  else if (ending < 0.3) result = `${result}..`;
  return result;
}
