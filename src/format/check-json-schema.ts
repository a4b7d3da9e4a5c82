/**
 * Checks a value against a JSON Schema, for the subset tool schemas use (OpenAI function tools,
 * MCP `inputSchema`): `type` (one or a list), `properties`, `required`, `additionalProperties`
 * (boolean or schema), `items`, `enum`, `const`, `minItems`/`maxItems`, `minLength`/`maxLength`,
 * `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum` (numbers), `anyOf`/`oneOf`. Other keywords
 * (`description`, `title`, `default`, `$schema`, formats) are ignored, so a schema using more is
 * checked leniently, never wrongly refused. It lives in `format` because validation and the tool
 * runtimes (built-in and MCP) both need it, and they may import only `core` and `format`.
 */
import { describeValue } from './describe-value.js';
import type { JsonSchema } from './tool-schema.js';

/** One way the value breaks the schema: where (`input_text[0]`, empty for the value itself) and what. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

/** More than this many violations are not listed: a list of 10,000 wrong items is one mistake. */
const MAX_VIOLATIONS = 20;

const JSON_TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;
type JsonType = (typeof JSON_TYPES)[number];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
  }
}

function typesOf(schema: JsonSchema): readonly JsonType[] | undefined {
  const declared = schema['type'];
  const list = Array.isArray(declared) ? declared : declared === undefined ? undefined : [declared];
  return list?.filter((type): type is JsonType => (JSON_TYPES as readonly unknown[]).includes(type));
}

/** "a whole number", "an array", "a string": the type as the messages say it. */
function describeType(type: JsonType): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'null') return 'null';
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** `a.b[2]` style paths, as a person reads them in a message. */
function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function numberKeyword(schema: JsonSchema, name: string): number | undefined {
  const value = schema[name];
  return typeof value === 'number' ? value : undefined;
}

function sameJson(first: unknown, second: unknown): boolean {
  return JSON.stringify(first) === JSON.stringify(second);
}

class Checker {
  readonly violations: SchemaViolation[] = [];

  add(path: string, message: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ path, message });
  }

  check(value: unknown, schema: unknown, path: string): void {
    if (schema === true || !isObject(schema)) return;
    const types = typesOf(schema);
    if (types !== undefined && types.length > 0 && !types.some((type) => hasType(value, type))) {
      this.add(path, `expected ${types.map(describeType).join(' or ')}, got ${describeValue(value)}`);
      return;
    }
    this.checkChoices(value, schema, path);
    if (isObject(value)) this.checkObject(value, schema, path);
    if (Array.isArray(value)) this.checkArray(value, schema, path);
    if (typeof value === 'string') this.checkBounds(value.length, schema, path, 'minLength', 'maxLength', 'characters');
    if (typeof value === 'number') this.checkNumber(value, schema, path);
  }

  private checkChoices(value: unknown, schema: JsonSchema, path: string): void {
    const choices = schema['enum'];
    if (Array.isArray(choices) && !choices.some((choice) => sameJson(choice, value))) {
      this.add(path, `expected one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, got ${describeValue(value)}`);
    }
    if ('const' in schema && !sameJson(schema['const'], value)) {
      this.add(path, `expected ${JSON.stringify(schema['const'])}, got ${describeValue(value)}`);
    }
    // `oneOf` is held as `anyOf`: a value two branches accept is the schema author's ambiguity, not the model's mistake.
    const alternatives = schema['anyOf'] ?? schema['oneOf'];
    if (Array.isArray(alternatives) && alternatives.length > 0) {
      const matches = alternatives.some((alternative) => {
        const inner = new Checker();
        inner.check(value, alternative, path);
        return inner.violations.length === 0;
      });
      if (!matches) this.add(path, `matches none of the ${alternatives.length} allowed forms, got ${describeValue(value)}`);
    }
  }

  private checkObject(value: Record<string, unknown>, schema: JsonSchema, path: string): void {
    const properties = isObject(schema['properties']) ? schema['properties'] : {};
    const required = Array.isArray(schema['required']) ? schema['required'] : [];
    for (const name of required) {
      if (typeof name === 'string' && !(name in value)) this.add(join(path, name), 'is required but missing');
    }
    const additional = schema['additionalProperties'];
    for (const [name, item] of Object.entries(value)) {
      if (Object.hasOwn(properties, name)) this.check(item, properties[name], join(path, name));
      else if (additional === false) this.add(join(path, name), `is not a known property (known: ${Object.keys(properties).join(', ') || 'none'})`);
      else if (isObject(additional)) this.check(item, additional, join(path, name));
    }
  }

  private checkArray(value: readonly unknown[], schema: JsonSchema, path: string): void {
    this.checkBounds(value.length, schema, path, 'minItems', 'maxItems', 'items');
    const items = schema['items'];
    if (!isObject(items)) return;
    value.forEach((item, index) => this.check(item, items, join(path, index)));
  }

  private checkNumber(value: number, schema: JsonSchema, path: string): void {
    const minimum = numberKeyword(schema, 'minimum');
    const maximum = numberKeyword(schema, 'maximum');
    const exclusiveMinimum = numberKeyword(schema, 'exclusiveMinimum');
    const exclusiveMaximum = numberKeyword(schema, 'exclusiveMaximum');
    if (minimum !== undefined && value < minimum) this.add(path, `expected at least ${minimum}, got ${value}`);
    if (maximum !== undefined && value > maximum) this.add(path, `expected at most ${maximum}, got ${value}`);
    if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) this.add(path, `expected more than ${exclusiveMinimum}, got ${value}`);
    if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) this.add(path, `expected less than ${exclusiveMaximum}, got ${value}`);
  }

  private checkBounds(size: number, schema: JsonSchema, path: string, minimumName: string, maximumName: string, unit: string): void {
    const minimum = numberKeyword(schema, minimumName);
    const maximum = numberKeyword(schema, maximumName);
    if (minimum !== undefined && size < minimum) this.add(path, `expected at least ${minimum} ${unit}, got ${size}`);
    if (maximum !== undefined && size > maximum) this.add(path, `expected at most ${maximum} ${unit}, got ${size}`);
  }
}

/**
 * Every way `value` breaks `schema` (at most 20), each with its path; empty when it conforms.
 * Pure and total: never throws, whatever the schema or the value.
 */
export function checkJsonSchema(value: unknown, schema: JsonSchema): readonly SchemaViolation[] {
  const checker = new Checker();
  checker.check(value, schema, '');
  return checker.violations;
}

/** Violations in one line, e.g. `input_text[0]: expected a string, got the number 3; indices: is required but missing`. */
export function describeViolations(violations: readonly SchemaViolation[]): string {
  return violations.map((violation) => (violation.path === '' ? violation.message : `${violation.path}: ${violation.message}`)).join('; ');
}
