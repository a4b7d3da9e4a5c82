/**
 * `export --anonymize-users`: the simulated user's name (`metadata.simulatedUser.name`, "Ava D.")
 * replaced in every message and in the metadata by a pseudonym. Within a conversation the
 * replacement is consistent (the full name, then the first name alone, always become the same
 * pseudonym), so the conversation still reads naturally; the pseudonym comes from a hash of the
 * conversation's id, so exporting again gives the same result.
 */
import { createHash } from 'node:crypto';
import type { SavedConversation } from '../format/index.js';

const PSEUDONYMS = [
  'Alex', 'Sam', 'Robin', 'Jordan', 'Casey', 'Morgan', 'Taylor', 'Jamie', 'Riley', 'Quinn',
  'Avery', 'Charlie', 'Drew', 'Emery', 'Finley', 'Harper', 'Kai', 'Logan', 'Parker', 'Reese',
];

export interface AnonymizeCounts {
  /** Conversations whose simulated user had a name. */
  users: number;
  /** Occurrences of a name replaced, in messages and metadata. */
  names: number;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name's forms longest first: "Ava D." before "Ava", so the full name is replaced whole. */
function nameForms(name: string): string[] {
  const first = name.trim().split(/\s+/)[0] ?? '';
  return [...new Set([name.trim(), first])].filter((form) => form.length >= 2).sort((a, b) => b.length - a.length);
}

function pseudonymFor(conversationId: string, name: string): string {
  const digest = createHash('sha256').update(conversationId).digest();
  const pseudonym = PSEUDONYMS[digest.readUInt32BE(0) % PSEUDONYMS.length] ?? 'Alex';
  // A pseudonym equal to the name would leave it in place: take the next one.
  return pseudonym === name.split(/\s+/)[0] ? (PSEUDONYMS[(digest.readUInt32BE(0) + 1) % PSEUDONYMS.length] ?? 'Sam') : pseudonym;
}

function readUserName(conversation: SavedConversation): string | undefined {
  const user = conversation.metadata['simulatedUser'];
  if (user === null || typeof user !== 'object') return undefined;
  const name = (user as Record<string, unknown>)['name'];
  return typeof name === 'string' && name.trim().length >= 2 ? name : undefined;
}

function replaceDeep<Value>(value: Value, replace: (text: string) => string): Value {
  if (typeof value === 'string') return replace(value) as Value;
  if (Array.isArray(value)) return value.map((item: unknown) => replaceDeep(item, replace)) as Value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceDeep(item, replace)])) as Value;
  }
  return value;
}

/** The conversation with its simulated user's name replaced everywhere; as it is when it names no user. */
export function anonymizeUser(conversation: SavedConversation, counts: AnonymizeCounts): SavedConversation {
  const name = readUserName(conversation);
  if (name === undefined) return conversation;
  counts.users++;
  const pseudonym = pseudonymFor(conversation.id, name);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${nameForms(name).map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  const replace = (text: string): string =>
    text.replace(pattern, () => {
      counts.names++;
      return pseudonym;
    });
  const { id, ...rest } = conversation;
  return { id, ...replaceDeep(rest, replace) };
}
