/**
 * Phrases that give a conversation away: the assistant refusing or disclaiming ("I can't help with
 * that", "As an AI…"), and the simulated user slipping into the assistant's part ("How can I help
 * you today?"). Each pattern is anchored on word boundaries and written narrowly enough that the
 * near misses people write every day ("I can't wait", "I'm sorry to hear that", "how can I help my
 * son") do not match; the tests hold both lists. Patterns are built once, at load.
 */

export interface PhrasePattern {
  /** What the phrase is, for the issue message. */
  readonly name: string;
  readonly pattern: RegExp;
}

/** "can't", "cannot", "won't", "am unable to", "am not able to" in their usual spellings. */
const CANNOT = String.raw`(?:can(?:no|')t|can not|won't|will not|(?:am|'m) (?:unable|not able)(?: to)?)`;
/** Idioms that start like a refusal and are not one. */
const NOT_A_REFUSAL = String.raw`(?!\s+(?:wait|believe|help but|stop|get over|imagine|tell you how|thank))`;

function phrase(name: string, source: string): PhrasePattern {
  return { name, pattern: new RegExp(source, 'iu') };
}

export const REFUSAL_PHRASES: readonly PhrasePattern[] = [
  phrase('a refusal to help', String.raw`\bI ${CANNOT}${NOT_A_REFUSAL} (?:help|assist)(?: you)? with (?:that|this|your request|such)\b`),
  phrase('a refusal to comply', String.raw`\bI ${CANNOT}${NOT_A_REFUSAL} (?:comply|fulfil+ (?:that|this|your) request|provide (?:that|this) (?:information|kind of))`),
  phrase('an apology before a refusal', String.raw`\b(?:I(?:'m| am) (?:sorry|afraid)|I apologi[sz]e|my apologies|sorry),? (?:but )?I ${CANNOT}${NOT_A_REFUSAL}\b`),
  phrase('a declined request', String.raw`\bI (?:must|have to) (?:decline|refuse)\b`),
  phrase('an "as an AI" disclaimer', String.raw`\bas an? (?:AI|artificial intelligence|large language model|language model)(?: (?:language model|assistant|model|chatbot))?,? (?:I|my)\b`),
  phrase('a disclaimer of feelings', String.raw`\bI (?:don't|do not) have (?:personal )?(?:feelings|emotions|opinions|personal experiences)\b`),
];

export const TESTER_AS_ASSISTANT_PHRASES: readonly PhrasePattern[] = [
  // Only the offer itself: "how can I help you remember?" is a user asking about Ada's memory.
  phrase('an offer of help', String.raw`\bhow (?:can|may) I (?:help|assist) you(?:\s+today)?\s*(?:[?.!,]|$)`),
  phrase('an offer of help', String.raw`\bhow can I be of (?:help|assistance|service)\b`),
  phrase('an offer of more help', String.raw`\bis there anything else I can (?:help|assist) you with\b`),
  phrase('the assistant role', String.raw`\bas your (?:AI )?assistant\b(?! (?:manager|coach|director|teacher))`),
  phrase('an "as an AI" disclaimer', String.raw`\bas an? (?:AI|artificial intelligence|large language model|language model)(?: (?:language model|assistant|model|chatbot))?,? (?:I|my)\b`),
  phrase('an offer of help', String.raw`\bI(?:'m| am) here to (?:help|assist)(?: you)?[.!]`),
  phrase('an invitation to ask', String.raw`\b(?:feel free to ask|let me know if you have any (?:other |more |further )?questions|don't hesitate to (?:ask|reach out))\b`),
  phrase('a closing formula', String.raw`\bI hope (?:this|that) helps[.!]`),
];

/** Curly apostrophes count as straight ones: models write both. */
export function normalizeApostrophes(text: string): string {
  return text.replace(/[\u2018\u2019\u02BC]/g, "'");
}

/** The first phrase of `phrases` that `text` contains, with the words matched. */
export function findPhrase(text: string, phrases: readonly PhrasePattern[]): { readonly name: string; readonly matched: string } | undefined {
  const normalized = normalizeApostrophes(text);
  for (const { name, pattern } of phrases) {
    const match = pattern.exec(normalized);
    if (match !== null) return { name, matched: match[0] };
  }
  return undefined;
}
