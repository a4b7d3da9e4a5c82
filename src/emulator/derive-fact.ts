import { clip, sentences, visibleText } from './script-text.js';

const FIRST_PERSON = /\b(?:i'm|i am|i've|i have|i|my|we're|we|our)\b/i;
const TRAILING_PUNCTUATION = /[\s.!?,;:]+$/;
const PRONOUNS = /\b(i'm|i am|i've|i have|i was|i|my|me|mine|myself|we're|we are|we|our|us)\b/gi;

/** First-person words turned into the third person plural, which fits any verb that follows. */
const THEY_FORMS: Readonly<Record<string, string>> = {
  "i'm": "they're", 'i am': 'they are', "i've": "they've", 'i have': 'they have', 'i was': 'they were',
  i: 'they', my: 'their', me: 'them', mine: 'theirs', myself: 'themselves',
  "we're": "they're", 'we are': 'they are', we: 'they', our: 'their', us: 'them',
};

/** Sentence starts that read naturally with "The user" as the subject. */
const SUBJECT_OPENINGS: readonly (readonly [RegExp, string])[] = [
  [/^(?:i'm|i am)\s+/i, 'The user is '],
  [/^(?:i've|i have)\s+/i, 'The user has '],
  [/^i was\s+/i, 'The user was '],
  [/^my\s+/i, "The user's "],
];

/**
 * A fact about the user from their message, in the third person, the way a model would store it:
 * "I'm allergic to peanuts" -> "The user is allergic to peanuts", "I signed up for a 10k" ->
 * "The user mentioned they signed up for a 10k". Questions are skipped; with no first-person
 * statement, the fact names what was asked about.
 */
export function deriveFact(text: string, words: readonly string[]): string {
  for (const sentence of sentences(visibleText(text))) {
    if (sentence.includes('?')) continue;
    const match = FIRST_PERSON.exec(sentence);
    if (match === null) continue;
    const statement = sentence.slice(match.index).replace(TRAILING_PUNCTUATION, '');
    return clip(toThirdPerson(statement), 160);
  }
  const topic = words.slice(0, 2).join(' and ') || 'their day';
  return `The user asked about ${topic}`;
}

function toThirdPerson(statement: string): string {
  for (const [pattern, subject] of SUBJECT_OPENINGS) {
    const opening = pattern.exec(statement);
    if (opening !== null) return subject + theyForms(statement.slice(opening[0].length));
  }
  return `The user mentioned ${theyForms(statement)}`;
}

function theyForms(text: string): string {
  return text.replace(PRONOUNS, (pronoun) => THEY_FORMS[pronoun.toLowerCase()] ?? pronoun);
}
