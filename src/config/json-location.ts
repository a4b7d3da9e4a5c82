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
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { description, line, column };
}
