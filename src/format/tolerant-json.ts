/**
 * A tolerant reader for the JSON-like values models write in tool calls: JSON plus trailing
 * commas, single-quoted strings, unquoted object keys, Python literals (`True`, `False`, `None`)
 * and tuples. It builds plain data only: no `eval`, no `new Function`, nothing executed.
 *
 * It never throws: every failure comes back as `{ ok: false, message, position }`.
 */

export type ReadResult =
  | { readonly ok: true; readonly value: unknown; readonly end: number }
  | { readonly ok: false; readonly message: string; readonly position: number };

/** Deeper nesting than this is refused, so hostile input cannot overflow the stack. */
export const MAX_NESTING_DEPTH = 64;

const LITERALS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['true', true],
  ['false', false],
  ['null', null],
  ['True', true],
  ['False', false],
  ['None', null],
]);

const NUMBER_PATTERN = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const IDENTIFIER_PATTERN = /[A-Za-z_$][\w$]*/y;
const WHITESPACE_PATTERN = /\s*/y;
const HEX_4_PATTERN = /^[0-9a-fA-F]{4}$/;
const NUMBER_START_PATTERN = /[-+.\d]/;
const WHITESPACE_RUN_PATTERN = /\s+/g;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '/': '/',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '`': '`',
};

const CLOSERS: Readonly<Record<string, string>> = { '[': ']', '(': ')' };

/** Raised inside the reader only; `readTolerantValue` turns it into a result. */
class ReadFailure {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}

/** Skips whitespace from `position` and returns the first non-space index. */
export function skipWhitespace(text: string, position: number): number {
  WHITESPACE_PATTERN.lastIndex = position;
  WHITESPACE_PATTERN.exec(text);
  return WHITESPACE_PATTERN.lastIndex;
}

/** Reads an identifier (`add_memory`, `True`) at `position`, or returns undefined. */
export function readIdentifier(text: string, position: number): string | undefined {
  IDENTIFIER_PATTERN.lastIndex = position;
  return IDENTIFIER_PATTERN.exec(text)?.[0];
}

/** A short quote of the text at `position`, for error messages. */
export function describePosition(text: string, position: number): string {
  if (position >= text.length) return 'the end of the text';
  const excerpt = text.slice(position, position + 24).replace(WHITESPACE_RUN_PATTERN, ' ');
  return `"${excerpt}${position + 24 < text.length ? '…' : ''}"`;
}

class TolerantReader {
  position: number;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.position = start;
  }

  readValue(depth: number): unknown {
    if (depth > MAX_NESTING_DEPTH) {
      throw new ReadFailure(`values are nested more than ${MAX_NESTING_DEPTH} levels deep`, this.position);
    }
    this.skip();
    const character = this.text[this.position];
    if (character === '{') return this.readObject(depth);
    if (character === '[' || character === '(') return this.readList(depth, character);
    if (character === '"' || character === "'") return this.readString(character);
    if (character !== undefined && NUMBER_START_PATTERN.test(character)) return this.readNumber();
    const word = readIdentifier(this.text, this.position);
    if (word !== undefined && LITERALS.has(word)) {
      this.position += word.length;
      return LITERALS.get(word);
    }
    throw new ReadFailure(`expected a value but found ${this.here()}`, this.position);
  }

  private readObject(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.position++;
    for (;;) {
      this.skip();
      if (this.text[this.position] === '}') break;
      const key = this.readKey();
      this.skip();
      if (this.text[this.position] !== ':') {
        throw new ReadFailure(`expected ":" after the key "${key}" but found ${this.here()}`, this.position);
      }
      this.position++;
      // defineProperty, not assignment: a key named "__proto__" must stay an ordinary key.
      Object.defineProperty(result, key, {
        value: this.readValue(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!this.consumeSeparator('}')) break;
    }
    this.position++;
    return result;
  }

  private readKey(): string {
    const character = this.text[this.position];
    if (character === '"' || character === "'") return this.readString(character);
    const word = readIdentifier(this.text, this.position);
    if (word !== undefined) {
      this.position += word.length;
      return word;
    }
    NUMBER_PATTERN.lastIndex = this.position;
    const number = NUMBER_PATTERN.exec(this.text)?.[0];
    if (number !== undefined) {
      this.position += number.length;
      return number;
    }
    throw new ReadFailure(`expected an object key but found ${this.here()}`, this.position);
  }

  private readList(depth: number, opener: string): unknown[] {
    const closer = CLOSERS[opener] ?? ']';
    const result: unknown[] = [];
    this.position++;
    for (;;) {
      this.skip();
      if (this.text[this.position] === closer) break;
      result.push(this.readValue(depth + 1));
      if (!this.consumeSeparator(closer)) break;
    }
    this.position++;
    return result;
  }

  /** After an element: true when a comma was consumed, false at the closer; anything else fails. */
  private consumeSeparator(closer: string): boolean {
    this.skip();
    const character = this.text[this.position];
    if (character === ',') {
      this.position++;
      return true;
    }
    if (character === closer) return false;
    if (character === undefined) {
      throw new ReadFailure(`the text ends before the closing "${closer}"`, this.position);
    }
    throw new ReadFailure(`expected "," or "${closer}" but found ${this.here()}`, this.position);
  }

  private readString(quote: string): string {
    const start = this.position;
    let result = '';
    let chunkStart = ++this.position;
    // The backslash search is bounded by the next quote, so many strings in one long text (or
    // one string full of escapes) stay linear instead of rescanning to the end each time.
    let quoteAt = this.text.indexOf(quote, this.position);
    for (;;) {
      if (quoteAt === -1) throw new ReadFailure('a string is never closed', start);
      const backslashAt = this.text.slice(this.position, quoteAt).indexOf('\\');
      if (backslashAt === -1) {
        result += this.text.slice(chunkStart, quoteAt);
        this.position = quoteAt + 1;
        return result;
      }
      const escapeAt = this.position + backslashAt;
      result += this.text.slice(chunkStart, escapeAt) + this.readEscape(escapeAt);
      chunkStart = this.position;
      if (quoteAt < this.position) quoteAt = this.text.indexOf(quote, this.position);
    }
  }

  /** Decodes the escape at `backslash`; unknown escapes keep the backslash, as Python does. */
  private readEscape(backslash: number): string {
    const letter = this.text[backslash + 1];
    if (letter === undefined) throw new ReadFailure('a string is never closed', backslash);
    this.position = backslash + 2;
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) return simple;
    if (letter === 'u') {
      const hex = this.text.slice(backslash + 2, backslash + 6);
      if (HEX_4_PATTERN.test(hex)) {
        this.position = backslash + 6;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
    }
    return `\\${letter}`;
  }

  private readNumber(): number {
    NUMBER_PATTERN.lastIndex = this.position;
    const match = NUMBER_PATTERN.exec(this.text)?.[0];
    const value = match === undefined ? Number.NaN : Number(match);
    if (match === undefined || !Number.isFinite(value)) {
      throw new ReadFailure(`expected a number but found ${this.here()}`, this.position);
    }
    this.position += match.length;
    return value;
  }

  private skip(): void {
    this.position = skipWhitespace(this.text, this.position);
  }

  private here(): string {
    return describePosition(this.text, this.position);
  }
}

/** Reads one value starting at `start`; `end` is the index just after it. */
export function readTolerantValue(text: string, start = 0): ReadResult {
  const reader = new TolerantReader(text, start);
  try {
    const value = reader.readValue(0);
    return { ok: true, value, end: reader.position };
  } catch (error) {
    if (error instanceof ReadFailure) return { ok: false, message: error.message, position: error.position };
    return { ok: false, message: String(error), position: reader.position };
  }
}

/** Reads a whole text as one value; anything but whitespace after it is a failure. */
export function parseTolerantJson(text: string): ReadResult {
  const result = readTolerantValue(text, 0);
  if (!result.ok) return result;
  const rest = skipWhitespace(text, result.end);
  if (rest < text.length) {
    return { ok: false, message: `unexpected ${describePosition(text, rest)} after the value`, position: rest };
  }
  return result;
}
