import type { Random } from '../../core/random.js';

/**
 * Session and workspace ids are written by the program, never by a model: a model copies, invents
 * or garbles ids, and a training set full of malformed ones teaches exactly that. The shape is the
 * original generator's: `session_{13-digit epoch ms}_{9 lowercase alphanumerics}`.
 */
const ALPHANUMERICS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_LENGTH = 9;

export const SESSION_ID_PATTERN = /^session_\d{13}_[a-z0-9]{9}$/;
export const WORKSPACE_ID_PATTERN = /^ws_\d{13}_[a-z0-9]{9}$/;

export function sessionId(nowMs: number, random: Random): string {
  return `session_${epochDigits(nowMs)}_${suffix(random)}`;
}

export function workspaceId(nowMs: number, random: Random): string {
  return `ws_${epochDigits(nowMs)}_${suffix(random)}`;
}

function epochDigits(nowMs: number): string {
  const whole = Math.floor(nowMs);
  // 13 digits cover 2001-09-09 to 2286-11-20; a clock outside that is a bug, not an id.
  if (!(whole >= 1e12 && whole < 1e13)) throw new RangeError(`expected a clock in epoch milliseconds (13 digits), got ${nowMs}`);
  return String(whole);
}

function suffix(random: Random): string {
  let text = '';
  for (let index = 0; index < SUFFIX_LENGTH; index++) {
    text += ALPHANUMERICS[Math.floor(random() * ALPHANUMERICS.length)];
  }
  return text;
}
