import { ConfigError } from '../core/errors.js';

/** `--flag N` as a number of at least `minimum`; the message names the flag and what it got. */
export function parseNumber(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < minimum) {
    throw new ConfigError(`${flag} expects a number of at least ${minimum}, got "${text}".`);
  }
  return value;
}

/** `--flag N` as a whole number of at least `minimum`. */
export function parseInteger(flag: string, text: string, minimum: number): number {
  const value = parseNumber(flag, text, minimum);
  if (!Number.isInteger(value)) throw new ConfigError(`${flag} expects a whole number, got "${text}".`);
  return value;
}
