/**
 * Personal data in generated text: e-mail addresses, phone numbers, IP addresses, card numbers and
 * key-like strings. Models invent them freely (a simulated user "gives" an address, a reply quotes
 * a made-up key), and a dataset that leaves the machine should not carry what looks like one.
 * `export --redact` replaces each with a typed placeholder; the report counts what it finds.
 * The patterns lean towards catching: a placeholder where a harmless number stood costs little.
 */

export type PrivateDataKind = 'email' | 'phone' | 'ip' | 'card' | 'key';

export const PRIVATE_DATA_KINDS: readonly PrivateDataKind[] = ['key', 'email', 'card', 'ip', 'phone'];

export const PLACEHOLDERS: Readonly<Record<PrivateDataKind, string>> = {
  email: '<EMAIL>',
  phone: '<PHONE>',
  ip: '<IP>',
  card: '<CARD>',
  key: '<KEY>',
};

export type PrivateDataCounts = Record<PrivateDataKind, number>;

export const emptyPrivateDataCounts = (): PrivateDataCounts => ({ email: 0, phone: 0, ip: 0, card: 0, key: 0 });

const PREFIXED_KEY = /^(?:(?:sk|pk|rk|hf|gsk|xai|ghp|gho|glpat)[-_]|AKIA)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * In the order they are applied: a key can contain what looks like a card number, an e-mail's
 * domain an IP, and a card or an IP what looks like a phone number, so the longer kinds go first.
 */
const PATTERNS: Readonly<Record<PrivateDataKind, RegExp>> = {
  // Prefixed secrets (OpenAI `sk-`, Hugging Face `hf_`, AWS `AKIA`, Groq `gsk_`, …) or 32+ mixed letters and digits.
  // The mix of letters and digits a generic key needs is checked in `accepts`: lookaheads here would run at every position.
  key: /\b(?:(?:sk|pk|rk|hf|gsk|xai|ghp|gho|glpat)[-_][A-Za-z0-9_-]{16,}|AKIA[A-Z0-9]{16}|[A-Za-z0-9_-]{32,})\b/g,
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
  card: /\b\d(?:[ -]?\d){12,18}\b/g,
  ip: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi,
  // International (+33 6 12 34 56 78) or grouped national numbers (555-123-4567, (020) 7946 0958).
  phone: /(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){2,4}|\(\d{2,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}|\b\d{3}[ .-]\d{3}[ .-]\d{4})\b/g,
};

/**
 * Cheap tests that the text could hold a finding, so the costlier patterns run only then: most
 * replies have no `@`, and a reply without a digit holds no number of any kind (nor a generic key,
 * which mixes in digits); a prefixed key announces itself.
 */
const DIGIT = /\d/;
const KEY_PREFIX = /(?:sk|pk|rk|hf|gsk|xai|ghp|gho|glpat)[-_]|AKIA/;

function kindsToScan(text: string): readonly PrivateDataKind[] {
  const digits = DIGIT.test(text);
  return PRIVATE_DATA_KINDS.filter((kind) => {
    if (kind === 'email') return text.includes('@');
    if (kind === 'key') return digits || KEY_PREFIX.test(text);
    return digits;
  });
}

/**
 * Payment cards start with 2 to 6 (Mastercard, Amex, Diners, JCB, Visa, Discover, UnionPay). A
 * 13-digit run starting with 1 is a millisecond timestamp far more often than a card: one in ten
 * of those passes Luhn by chance.
 */
const CARD_FIRST_DIGIT = /^[2-6]/;

/** Whether a digit run passes the Luhn check every card number carries: a long number that fails is no card. */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function accepts(kind: PrivateDataKind, match: string): boolean {
  if (kind === 'card') {
    const digits = match.replace(/[ -]/g, '');
    return CARD_FIRST_DIGIT.test(digits) && passesLuhn(digits);
  }
  // Conversation ids are UUIDs, and a run of one letter case (a word, a hash of hex digits written as words) is no key.
  if (kind === 'key') return !UUID.test(match) && (PREFIXED_KEY.test(match) || (/\d/.test(match) && /[A-Za-z]/.test(match)));
  if (kind === 'phone') return match.replace(/\D/g, '').length >= 7;
  return true;
}

/**
 * `text` with every finding replaced by its placeholder, and how many of each kind were replaced.
 * `counts` is added to, so one tally can span a conversation or a whole export.
 */
export function redactPrivateData(text: string, counts: PrivateDataCounts): string {
  let result = text;
  for (const kind of kindsToScan(text)) {
    result = result.replace(PATTERNS[kind], (match) => {
      if (!accepts(kind, match)) return match;
      counts[kind]++;
      return PLACEHOLDERS[kind];
    });
  }
  return result;
}

/** Counts what `redactPrivateData` would replace, without keeping the replaced text. */
export function countPrivateData(text: string, counts: PrivateDataCounts): void {
  redactPrivateData(text, counts);
}

/** Every string inside `value` redacted (objects and arrays copied, other values as they are). */
export function redactDeep<Value>(value: Value, counts: PrivateDataCounts): Value {
  if (typeof value === 'string') return redactPrivateData(value, counts) as Value;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, counts)) as Value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, counts)])) as Value;
  }
  return value;
}
