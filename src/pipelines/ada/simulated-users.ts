import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { createRandom, integerBetween, pick, seedFromString, type Random } from '../../core/random.js';
import { FIRST_NAMES, INTERESTS, LAST_INITIALS, SITUATIONS, WRITING_STYLES } from './persona-traits.js';

/** One simulated person; memory and diary rows in the tool database belong to `id`. */
export interface SimulatedUser {
  readonly id: string;
  readonly name: string;
  readonly age: number;
  readonly situation: string;
  readonly interests: readonly string[];
  /** How they write, given to the tester model. */
  readonly style: string;
}

/** `--users` default. */
export const DEFAULT_USER_COUNT = 200;

/**
 * The id includes the seed: another seed makes other people, who must not inherit the first
 * seed's memories in the tool database.
 */
export function simulatedUserId(seed: number, index: number): string {
  return `user-${seed}-${String(index + 1).padStart(4, '0')}`;
}

function pickDistinct(random: Random, items: readonly string[], count: number): string[] {
  const remaining = [...items];
  const chosen: string[] = [];
  while (chosen.length < count && remaining.length > 0) {
    const at = Math.floor(random() * remaining.length);
    chosen.push(remaining.splice(at, 1)[0] as string);
  }
  return chosen;
}

/**
 * User `index` of the pool for `seed`. Each user has its own random stream, so user 17 is the same
 * person whatever the pool size and however often the daemon restarts.
 */
export function generateSimulatedUser(seed: number, index: number): SimulatedUser {
  const random = createRandom(seedFromString(`nightshift-user:${seed}:${index}`));
  const initial = LAST_INITIALS[Math.floor(random() * LAST_INITIALS.length)] as string;
  const name = `${pick(random, FIRST_NAMES)} ${initial}.`;
  const situation = pick(random, SITUATIONS);
  return Object.freeze({
    id: simulatedUserId(seed, index),
    name,
    age: integerBetween(random, situation.minAge, situation.maxAge),
    situation: situation.text,
    interests: Object.freeze(pickDistinct(random, INTERESTS, integerBetween(random, 2, 3))),
    style: pick(random, WRITING_STYLES),
  });
}

/** The `--users N` pool for `--seed`. */
export function generateSimulatedUsers(count: number = DEFAULT_USER_COUNT, seed = 1): SimulatedUser[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new ConfigError(`Expected the number of simulated users to be a whole number >= 1, got \`${count}\`.`);
  }
  return Array.from({ length: count }, (_, index) => generateSimulatedUser(seed, index));
}

const userSchema = z.strictObject({
  id: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  age: z.number().int().min(1).max(130),
  situation: z.string().trim().min(1).max(1000),
  interests: z.array(z.string().trim().min(1).max(200)).max(20),
  style: z.string().trim().min(1).max(500),
});

const usersFileSchema = z.array(userSchema).min(1);

const USERS_FILE_EXAMPLE =
  '[{"id": "maya", "name": "Maya K.", "age": 34, "situation": "a nurse working night shifts", "interests": ["running", "jazz"], "style": "short lowercase messages"}]';

/**
 * Simulated users listed in a JSON file (an array of users) instead of generated. A missing or
 * invalid file, or two users with one id, is a `ConfigError` naming the file and the problem.
 */
export function loadSimulatedUsers(filePath: string): SimulatedUser[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `The simulated users file ${filePath} could not be read as JSON (${(error as Error).message}). Expected an array like ${USERS_FILE_EXAMPLE}.`,
      { cause: error },
    );
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'the file' : issue.path.join('.');
    throw new ConfigError(
      `The simulated users file ${filePath} is invalid at ${where}: ${issue?.message ?? 'invalid value'}. Expected an array like ${USERS_FILE_EXAMPLE}.`,
    );
  }
  const seen = new Set<string>();
  for (const user of parsed.data) {
    if (seen.has(user.id)) {
      throw new ConfigError(`The simulated users file ${filePath} lists the id "${user.id}" twice; each user needs its own id.`);
    }
    seen.add(user.id);
  }
  return parsed.data.map((user) => Object.freeze({ ...user, interests: Object.freeze([...user.interests]) }));
}

/** The values of the tester prompt's persona placeholders. */
export function personaPlaceholders(user: SimulatedUser): Record<string, string> {
  return {
    name: user.name,
    age: String(user.age),
    situation: user.situation,
    interests: user.interests.length > 0 ? user.interests.join(', ') : 'nothing in particular',
    style: user.style,
  };
}
