/** Where a JSON.parse failure happened, as a line and column people can jump to. */
export interface JsonProblem {
  readonly description: string;
  readonly line?: number;
  readonly column?: number;
}

const POSITION = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/;
// V8 quotes the start of the input in some messages; that text could be a key, so it is dropped.
const QUOTED_INPUT = /, "[\s\S]*" is not valid JSON$/;

export function describeJsonError(error: unknown, text: string): JsonProblem {
  const message = error instanceof Error ? error.message : String(error);
  const description = message.replace(POSITION, '').replace(QUOTED_INPUT, '').trim();
  const match = POSITION.exec(message);
  let position: number | undefined = match ? Number(match[1]) : undefined;
  if (position === undefined && /unexpected end/i.test(message)) position = text.length;
  if (position === undefined) return { description };
  return { description, ...positionToLocation(text, position) };
}

export interface JsonLocation {
  readonly line: number;
  readonly column: number;
}

/**
 * Where the value at `keyPath` starts in `text` (valid JSON), or where the key itself is when
 * `atKey` is set (an unknown key points at its name, not its value). Undefined when the path is
 * not in the text. For zod issue paths: `["providers", "mistral", "max_concurrency"]`.
 */
export function locateJsonPath(text: string, keyPath: readonly PropertyKey[], atKey = false): JsonLocation | undefined {
  const found = new JsonPathFinder(text, keyPath.map(String), atKey).find();
  return found === undefined ? undefined : positionToLocation(text, found);
}

export function positionToLocation(text: string, position: number): JsonLocation {
  const before = text.slice(0, position);
  return { line: before.split('\n').length, column: position - before.lastIndexOf('\n') };
}

/** A scanner that walks only as far as the wanted path: no tree is built. */
class JsonPathFinder {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly keyPath: readonly string[],
    private readonly atKey: boolean,
  ) {}

  find(): number | undefined {
    this.skipSpace();
    return this.keyPath.length === 0 ? this.index : this.descend(0);
  }

  /** At the start of a value; finds keyPath[depth] inside it. */
  private descend(depth: number): number | undefined {
    const wanted = this.keyPath[depth];
    const opening = this.text[this.index];
    if (opening !== '{' && opening !== '[') return undefined;
    this.index += 1;
    for (let element = 0; ; element++) {
      this.skipSpace();
      if (this.text[this.index] === '}' || this.text[this.index] === ']') return undefined;
      let name = String(element);
      const keyAt = this.index;
      if (opening === '{') {
        name = this.readString();
        this.skipSpace();
        this.index += 1; // the colon
        this.skipSpace();
      }
      if (name === wanted) {
        if (depth === this.keyPath.length - 1) return this.atKey && opening === '{' ? keyAt : this.index;
        return this.descend(depth + 1);
      }
      this.skipValue();
      this.skipSpace();
      if (this.text[this.index] === ',') this.index += 1;
    }
  }

  private readString(): string {
    const start = this.index;
    this.index += 1;
    while (this.index < this.text.length && this.text[this.index] !== '"') {
      this.index += this.text[this.index] === '\\' ? 2 : 1;
    }
    this.index += 1;
    return JSON.parse(this.text.slice(start, this.index)) as string;
  }

  private skipValue(): void {
    const character = this.text[this.index];
    if (character === '"') {
      this.readString();
      return;
    }
    if (character === '{' || character === '[') {
      let depth = 0;
      do {
        const current = this.text[this.index];
        if (current === '"') {
          this.readString();
          continue;
        }
        if (current === '{' || current === '[') depth += 1;
        else if (current === '}' || current === ']') depth -= 1;
        this.index += 1;
      } while (depth > 0 && this.index < this.text.length);
      return;
    }
    while (this.index < this.text.length && !/[,}\]\s]/.test(this.text[this.index] as string)) this.index += 1;
  }

  private skipSpace(): void {
    while (this.index < this.text.length && /\s/.test(this.text[this.index] as string)) this.index += 1;
  }
}
