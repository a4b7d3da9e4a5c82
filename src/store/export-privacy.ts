/**
 * The privacy step of an export (`--redact`, `--anonymize-users`), applied to each conversation
 * before it is prepared and formatted, so every format writes the same protected text; the tally
 * is what the command prints.
 */
import type { SavedConversation } from '../format/index.js';
import { anonymizeUser, type AnonymizeCounts } from './anonymize-users.js';
import { emptyPrivateDataCounts, redactDeep, type PrivateDataCounts } from './private-data.js';

export interface PrivacyOptions {
  /** Replace e-mails, phone numbers, IPs, card numbers and key-like strings with `<EMAIL>`, … @default false */
  readonly redact?: boolean;
  /** Replace the simulated user's name, consistently within a conversation. @default false */
  readonly anonymizeUsers?: boolean;
}

export interface PrivacyTally {
  /** What `redact` replaced, by kind. */
  readonly redacted: PrivateDataCounts;
  /** Users renamed and name occurrences replaced by `anonymizeUsers`. */
  readonly anonymized: AnonymizeCounts;
}

export const emptyPrivacyTally = (): PrivacyTally => ({ redacted: emptyPrivateDataCounts(), anonymized: { users: 0, names: 0 } });

/**
 * The conversation protected as asked. Names go first: a redacted placeholder never looks like a
 * name, but a name could sit inside an e-mail address that redaction then replaces whole.
 */
export function protectPrivacy(conversation: SavedConversation, options: PrivacyOptions, tally: PrivacyTally): SavedConversation {
  let result = conversation;
  if (options.anonymizeUsers === true) result = anonymizeUser(result, tally.anonymized);
  if (options.redact === true) {
    // The id is the conversation's key in every split and index: never rewritten.
    const { id, ...rest } = result;
    result = { id, ...redactDeep(rest, tally.redacted) };
  }
  return result;
}

/** Adds `from` into `into`: what one written example replaced, into the export's total. */
export function addPrivacyTally(into: PrivacyTally, from: PrivacyTally): void {
  for (const kind of Object.keys(from.redacted) as (keyof PrivateDataCounts)[]) into.redacted[kind] += from.redacted[kind];
  into.anonymized.users += from.anonymized.users;
  into.anonymized.names += from.anonymized.names;
}
