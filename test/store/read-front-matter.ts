/**
 * A strict reader for the YAML front matter of a dataset card, enough for what the hf export
 * writes (block mappings and sequences, `key:` followed by a sequence at the same indent as the
 * Hub's cards do, plain and double-quoted scalars, integers). Anything outside that subset throws
 * with the line, so a card that drifted into YAML this reader does not know fails its test rather
 * than being half read. No yaml package is installed; the tests do not add one.
 */
export type YamlValue = string | number | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

/** The front matter of `markdown` (between a first line `---` and the next `---`) and the text after it. */
export function readFrontMatter(markdown: string): { data: { [key: string]: YamlValue }; body: string } {
  const all = markdown.split('\n');
  if (all[0] !== '---') throw new Error('front matter: the first line is not ---');
  const end = all.indexOf('---', 1);
  if (end === -1) throw new Error('front matter: no closing ---');
  const lines: Line[] = all.slice(1, end).flatMap((raw, index) => {
    const number = index + 2;
    if (raw.includes('\t')) throw new Error(`front matter line ${number}: a tab`);
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) throw new Error(`front matter line ${number}: blank or comment lines are not expected`);
    const indent = raw.length - raw.trimStart().length;
    const text = raw.slice(indent);
    // `- key: value` is an item holding a mapping whose keys sit two columns further in: read it as `-` then `key: value`.
    if (text.startsWith('- ') && KEY.test(text.slice(2))) return [{ number, indent, text: '-' }, { number, indent: indent + 2, text: text.slice(2) }];
    return [{ number, indent, text }];
  });
  const reader: Reader = { lines, position: 0 };
  const data = readBlock(reader, 0);
  if (reader.position !== lines.length) throw new Error(`front matter line ${lines[reader.position]!.number}: unexpected indentation`);
  if (Array.isArray(data) || typeof data !== 'object') throw new Error('front matter: not a mapping');
  return { data, body: all.slice(end + 1).join('\n') };
}

const KEY = /^([A-Za-z_][\w-]*):(?: (.*))?$/;

interface Reader {
  readonly lines: readonly Line[];
  position: number;
}

function isItem(line: Line | undefined, indent: number): boolean {
  return line !== undefined && line.indent === indent && (line.text === '-' || line.text.startsWith('- '));
}

function readBlock(reader: Reader, indent: number): YamlValue {
  const first = reader.lines[reader.position];
  if (first === undefined || first.indent !== indent) throw new Error(`front matter line ${first?.number ?? 'end'}: expected a block at indent ${indent}`);
  return isItem(first, indent) ? readSequence(reader, indent) : readMapping(reader, indent);
}

function readSequence(reader: Reader, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (isItem(reader.lines[reader.position], indent)) {
    const line = reader.lines[reader.position++]!;
    items.push(line.text === '-' ? readBlock(reader, indent + 2) : readScalar(line.text.slice(2), line.number));
  }
  return items;
}

function readMapping(reader: Reader, indent: number): { [key: string]: YamlValue } {
  const mapping: { [key: string]: YamlValue } = {};
  for (let line = reader.lines[reader.position]; line !== undefined && line.indent === indent && !isItem(line, indent); line = reader.lines[reader.position]) {
    const match = KEY.exec(line.text);
    if (match === null) throw new Error(`front matter line ${line.number}: expected key: value, got ${line.text}`);
    const key = match[1]!;
    if (Object.hasOwn(mapping, key)) throw new Error(`front matter line ${line.number}: duplicate key ${key}`);
    reader.position++;
    if (match[2] !== undefined) {
      mapping[key] = readScalar(match[2], line.number);
      continue;
    }
    // `key:` then its value: a deeper block, or a sequence at the same indent (the Hub's cards write both).
    const next = reader.lines[reader.position];
    if (next !== undefined && next.indent > indent) mapping[key] = readBlock(reader, next.indent);
    else if (isItem(next, indent)) mapping[key] = readSequence(reader, indent);
    else throw new Error(`front matter line ${line.number}: ${key} has no value`);
  }
  return mapping;
}

function readScalar(text: string, lineNumber: number): string | number {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (/^[[{'&*!|>%@`]/.test(text) || text.includes(': ') || text.includes(' #') || text.trim() !== text || text === '') {
    throw new Error(`front matter line ${lineNumber}: a scalar outside the subset this reader knows: ${text}`);
  }
  return text;
}
