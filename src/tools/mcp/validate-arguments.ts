/**
 * Checks a model's tool-call arguments against the tool's `inputSchema` before the call is sent,
 * so a mistake comes back to the model as a sentence it can act on ("`path` is missing") rather
 * than as a server's stack of validator output.
 *
 * Only the JSON Schema subset MCP servers publish is checked: `type` (one or a list), `properties`,
 * `required`, `additionalProperties`, `items`, `enum`, `const`, string and array lengths, numeric
 * bounds, and `anyOf`/`oneOf` (satisfied when any branch is). Anything else (`$ref`, `pattern`,
 * `format`, `allOf`, …) is not checked here but left to the server, which validates again: a
 * keyword this file does not know never rejects a call. ajv is only a dev dependency of this
 * project (and an indirect one of the SDK), so the daemon does not lean on it.
 */
import { describeValue } from '../../format/index.js';

type Schema = Readonly<Record<string, unknown>>;

/** Most problems listed in one message; a model fixes the first few, then sees the rest. */
const MAX_PROBLEMS = 5;

/** Every problem found, in schema order; empty when the arguments fit. */
export function findArgumentProblems(schema: Schema, value: unknown): readonly string[] {
  const problems: string[] = [];
  check(schema, value, '', problems);
  return problems.slice(0, MAX_PROBLEMS);
}

function check(schema: unknown, value: unknown, path: string, problems: string[]): void {
  if (!isObject(schema)) return; // `true`, `{}`, or a malformed schema: nothing to hold the value to
  const before = problems.length;
  checkType(schema, value, path, problems);
  if (problems.length > before) return; // the wrong type explains everything below it
  checkChoices(schema, value, path, problems);
  if (typeof value === 'string') checkLength(schema, value.length, path, 'character', problems);
  if (typeof value === 'number') checkBounds(schema, value, path, problems);
  if (Array.isArray(value)) checkArray(schema, value, path, problems);
  else if (isObject(value)) checkObject(schema, value, path, problems);
  checkAlternatives(schema, value, path, problems);
}

function checkType(schema: Schema, value: unknown, path: string, problems: string[]): void {
  const declared = schema['type'];
  const types = typeof declared === 'string' ? [declared] : Array.isArray(declared) ? declared.filter(isString) : [];
  if (types.length === 0 || types.some((type) => hasType(value, type))) return;
  problems.push(`${name(path)} must be ${types.map(article).join(' or ')}, got ${describeValue(value)}`);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'null':
      return value === null;
    default:
      return true; // an unknown type name is the schema's problem, not the model's
  }
}

function checkChoices(schema: Schema, value: unknown, path: string, problems: string[]): void {
  const choices = schema['enum'];
  if (Array.isArray(choices) && !choices.some((choice) => sameValue(choice, value))) {
    problems.push(`${name(path)} must be one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, got ${describeValue(value)}`);
  }
  if ('const' in schema && !sameValue(schema['const'], value)) {
    problems.push(`${name(path)} must be ${JSON.stringify(schema['const'])}, got ${describeValue(value)}`);
  }
}

function checkLength(schema: Schema, length: number, path: string, unit: string, problems: string[]): void {
  const [minimum, maximum] = unit === 'item' ? ['minItems', 'maxItems'] : ['minLength', 'maxLength'];
  const least = schema[minimum];
  const most = schema[maximum];
  if (typeof least === 'number' && length < least) problems.push(`${name(path)} needs at least ${least} ${plural(unit, least)}, got ${length}`);
  if (typeof most === 'number' && length > most) problems.push(`${name(path)} takes at most ${most} ${plural(unit, most)}, got ${length}`);
}

function checkBounds(schema: Schema, value: number, path: string, problems: string[]): void {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (typeof minimum === 'number' && value < minimum) problems.push(`${name(path)} must be at least ${minimum}, got ${value}`);
  if (typeof maximum === 'number' && value > maximum) problems.push(`${name(path)} must be at most ${maximum}, got ${value}`);
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) problems.push(`${name(path)} must be more than ${exclusiveMinimum}, got ${value}`);
  if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) problems.push(`${name(path)} must be less than ${exclusiveMaximum}, got ${value}`);
}

function checkArray(schema: Schema, value: readonly unknown[], path: string, problems: string[]): void {
  checkLength(schema, value.length, path, 'item', problems);
  const items = schema['items'];
  if (!isObject(items)) return;
  value.forEach((item, index) => check(items, item, `${path}[${index}]`, problems));
}

function checkObject(schema: Schema, value: Readonly<Record<string, unknown>>, path: string, problems: string[]): void {
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'].filter(isString) : [];
  for (const key of required) {
    if (value[key] === undefined) problems.push(`${name(join(path, key))} is missing (it is required)`);
  }
  const additional = schema['additionalProperties'];
  const known = Object.keys(properties);
  for (const [key, member] of Object.entries(value)) {
    if (key in properties) check(properties[key], member, join(path, key), problems);
    else if (additional === false) {
      const expected = known.length === 0 ? 'this tool takes no arguments' : `expected ${known.map((item) => `\`${item}\``).join(', ')}`;
      problems.push(`unexpected argument ${name(join(path, key))}; ${expected}`);
    } else if (isObject(additional)) check(additional, member, join(path, key), problems);
  }
}

function checkAlternatives(schema: Schema, value: unknown, path: string, problems: string[]): void {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = schema[keyword];
    if (!Array.isArray(branches) || branches.length === 0) continue;
    const fits = branches.some((branch) => {
      const branchProblems: string[] = [];
      check(branch, value, path, branchProblems);
      return branchProblems.length === 0;
    });
    if (!fits) problems.push(`${name(path)} matches none of the ${branches.length} allowed forms, got ${describeValue(value)}`);
  }
}

function sameValue(left: unknown, right: unknown): boolean {
  return left === right || (typeof left === 'object' && JSON.stringify(left) === JSON.stringify(right));
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function name(path: string): string {
  return path === '' ? 'the arguments' : `\`${path}\``;
}

function article(type: string): string {
  if (type === 'array') return 'a list';
  if (type === 'null') return 'null';
  if (type === 'integer') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function plural(unit: string, count: number): string {
  return count === 1 ? unit : `${unit}s`;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
