/**
 * Turns a value read out of model text (`{"name": ..., "arguments": ...}` and its common
 * variants) into a call name and an arguments object, or a message saying what was wrong.
 */
import { describeValue } from './describe-value.js';
import { parseTolerantJson } from './tolerant-json.js';

export type CallValue =
  | { readonly ok: true; readonly name: string; readonly arguments: Record<string, unknown> }
  | { readonly ok: false; readonly name?: string; readonly message: string };

/** Keys that describe the call itself; the rest of a call object with no `arguments` are arguments. */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['name', 'type', 'id', 'function', 'tool', 'tool_name']);
const ARGUMENT_KEYS = ['arguments', 'parameters', 'args'] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Accepts an arguments object, a JSON string holding one (`"arguments": "{\"input_text\": ...}"`),
 * or nothing at all (a call without arguments).
 */
export function normalizeArguments(value: unknown): Record<string, unknown> | string {
  if (value === undefined || value === null) return {};
  let decoded: unknown = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    const parsed = parseTolerantJson(value);
    if (!parsed.ok) return `"arguments" is text that is not valid JSON (${parsed.message})`;
    decoded = parsed.value;
  }
  if (!isRecord(decoded)) {
    return `"arguments" must be an object such as {"input_text": ["..."]}, got ${describeValue(decoded)}`;
  }
  return decoded;
}

function pickName(call: Record<string, unknown>, outer: Record<string, unknown>): unknown {
  if (call.name !== undefined) return call.name;
  if (typeof outer.function === 'string') return outer.function;
  return call.tool ?? call.tool_name;
}

function pickArguments(call: Record<string, unknown>): unknown {
  for (const key of ARGUMENT_KEYS) {
    if (call[key] !== undefined) return call[key];
  }
  // `{"name": "add_memory", "input_text": [...]}`: the arguments were flattened into the call.
  const flattened: Record<string, unknown> = {};
  let found = false;
  for (const [key, value] of Object.entries(call)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    Object.defineProperty(flattened, key, { value, enumerable: true, writable: true, configurable: true });
    found = true;
  }
  return found ? flattened : undefined;
}

/** One call object; also accepts OpenAI's `{"type": "function", "function": {...}}` shape. */
export function callFromObject(value: unknown): CallValue {
  if (!isRecord(value)) {
    return { ok: false, message: `expected an object with "name" and "arguments", got ${describeValue(value)}` };
  }
  const call = isRecord(value.function) ? value.function : value;
  const name = pickName(call, value);
  if (name === undefined) return { ok: false, message: 'the call has no "name"' };
  if (typeof name !== 'string' || name.trim() === '') {
    return { ok: false, message: `"name" must be the tool's name as text, got ${describeValue(name)}` };
  }
  const normalized = normalizeArguments(pickArguments(call));
  if (typeof normalized === 'string') return { ok: false, name, message: normalized };
  return { ok: true, name, arguments: normalized };
}

/**
 * A value may hold one call, a list of calls, or (once) a JSON string holding either; the
 * result lists them in order. An element that is not a call gives a failure in its place.
 */
export function callsFromValue(value: unknown, allowEncoded = true): CallValue[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ ok: false, message: 'the list of calls is empty' }];
    return value.map(callFromObject);
  }
  if (typeof value === 'string' && allowEncoded) {
    const parsed = parseTolerantJson(value);
    if (parsed.ok) return callsFromValue(parsed.value, false);
    return [{ ok: false, message: `expected a call object, got ${describeValue(value)}` }];
  }
  return [callFromObject(value)];
}
