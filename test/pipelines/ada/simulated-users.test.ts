import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createRandom } from '../../../src/core/random.js';
import {
  TOPICS,
  UserPool,
  generateSimulatedUser,
  generateSimulatedUsers,
  loadSimulatedUsers,
  pickTopic,
  type UserLease,
} from '../../../src/pipelines/ada/index.js';
import { SITUATIONS } from '../../../src/pipelines/ada/persona-traits.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempFile(name: string, content: string): string {
  const directory = makeTempDir();
  cleanups.push(directory.cleanup);
  const filePath = path.join(directory.path, name);
  fs.writeFileSync(filePath, content);
  return filePath;
}

describe('simulated users', () => {
  it('the same seed gives the same 200 users on every start; user 17 does not depend on the pool size', () => {
    const first = generateSimulatedUsers(200, 7);
    expect(generateSimulatedUsers(200, 7)).toEqual(first);
    expect(generateSimulatedUsers(20, 7)[16]).toEqual(first[16]);
    expect(generateSimulatedUser(7, 16)).toEqual(first[16]);
    expect(first).toHaveLength(200);
    expect(new Set(first.map((user) => user.id)).size).toBe(200);
  });

  it('another seed gives other people with other ids, so they never inherit the first seed’s memories', () => {
    const seedOne = generateSimulatedUsers(50, 1);
    const seedTwo = generateSimulatedUsers(50, 2);
    const idsOne = new Set(seedOne.map((user) => user.id));
    expect(seedTwo.some((user) => idsOne.has(user.id))).toBe(false);
    const describe = (user: (typeof seedOne)[number]) => `${user.name}|${user.situation}|${user.style}`;
    expect(seedTwo.map(describe)).not.toEqual(seedOne.map(describe));
  });

  it('personas vary and are coherent: distinct names and situations, ages that fit the situation, 2-3 interests', () => {
    const users = generateSimulatedUsers(200, 1);
    expect(new Set(users.map((user) => user.name)).size).toBeGreaterThan(150);
    expect(new Set(users.map((user) => user.situation)).size).toBeGreaterThan(30);
    expect(new Set(users.map((user) => user.style)).size).toBeGreaterThan(8);
    for (const user of users) {
      const situation = SITUATIONS.find((candidate) => candidate.text === user.situation);
      expect(situation).toBeDefined();
      expect(user.age).toBeGreaterThanOrEqual(situation?.minAge ?? 0);
      expect(user.age).toBeLessThanOrEqual(situation?.maxAge ?? 0);
      expect(user.interests.length).toBeGreaterThanOrEqual(2);
      expect(user.interests.length).toBeLessThanOrEqual(3);
      expect(new Set(user.interests).size).toBe(user.interests.length);
    }
  });

  it('a pool size below 1 is a configuration error', () => {
    expect(() => generateSimulatedUsers(0, 1)).toThrow(ConfigError);
  });

  it('users listed in a JSON file are loaded as written', () => {
    const filePath = tempFile(
      'users.json',
      JSON.stringify([{ id: 'maya', name: 'Maya K.', age: 34, situation: 'a nurse', interests: ['jazz'], style: 'terse' }]),
    );
    expect(loadSimulatedUsers(filePath)).toEqual([
      { id: 'maya', name: 'Maya K.', age: 34, situation: 'a nurse', interests: ['jazz'], style: 'terse' },
    ]);
  });

  it('a users file that is not JSON, misses a field, or repeats an id is a ConfigError naming the file', () => {
    const broken = tempFile('broken.json', '[{"id": ');
    expect(() => loadSimulatedUsers(broken)).toThrow(ConfigError);
    expect(() => loadSimulatedUsers(broken)).toThrow(broken);
    const missing = tempFile('missing.json', JSON.stringify([{ id: 'a', name: 'A', age: 30, interests: [], style: 's' }]));
    expect(() => loadSimulatedUsers(missing)).toThrow(/invalid at 0\.situation/);
    const user = { id: 'same', name: 'A', age: 30, situation: 's', interests: [], style: 's' };
    const duplicate = tempFile('duplicate.json', JSON.stringify([user, user]));
    expect(() => loadSimulatedUsers(duplicate)).toThrow(/"same" twice/);
    expect(() => loadSimulatedUsers(path.join(path.dirname(broken), 'absent.json'))).toThrow(ConfigError);
  });
});

describe('topics', () => {
  it('5,000 conversations open on many different topics, and the same seed picks the same ones', () => {
    const users = generateSimulatedUsers(200, 1);
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5000 }, (_, index) => pickTopic(random, users[index % users.length] as (typeof users)[number]));
    };
    const topics = draw(3);
    expect(draw(3)).toEqual(topics);
    const counts = new Map<string, number>();
    for (const topic of topics) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    expect(counts.size).toBeGreaterThan(TOPICS.length + 40);
    expect(Math.max(...counts.values())).toBeLessThan(5000 * 0.05);
  });
});

describe('the user pool', () => {
  it('never leases one user twice at once, even with more conversations than users', async () => {
    const pool = new UserPool(generateSimulatedUsers(3, 1), createRandom(1));
    const active = new Set<string>();
    let maximum = 0;
    const conversation = async (index: number) => {
      const lease = await pool.lease();
      expect(active.has(lease.user.id)).toBe(false);
      active.add(lease.user.id);
      maximum = Math.max(maximum, active.size);
      await new Promise((resolve) => setTimeout(resolve, index % 3));
      active.delete(lease.user.id);
      lease.release();
    };
    await Promise.all(Array.from({ length: 30 }, (_, index) => conversation(index)));
    expect(maximum).toBe(3);
    expect(pool.leasedCount).toBe(0);
    expect(pool.waitingCount).toBe(0);
  });

  it('a waiting lease is served in arrival order when a user is released; a second release changes nothing', async () => {
    const pool = new UserPool(generateSimulatedUsers(1, 1), createRandom(1));
    const first = pool.tryLease();
    expect(first).toBeDefined();
    expect(pool.tryLease()).toBeUndefined();
    const order: string[] = [];
    const record = (name: string) => (lease: UserLease) => {
      order.push(name);
      return lease;
    };
    const second = pool.lease().then(record('second'));
    const third = pool.lease().then(record('third'));
    first?.release();
    first?.release();
    const secondLease = await second;
    expect(pool.leasedCount).toBe(1);
    expect(order).toEqual(['second']);
    secondLease.release();
    (await third).release();
    expect(order).toEqual(['second', 'third']);
    expect(pool.leasedCount).toBe(0);
  });

  it('an aborted wait rejects with the abort reason and leaves the queue', async () => {
    const pool = new UserPool(generateSimulatedUsers(1, 1), createRandom(1));
    const held = pool.tryLease();
    const controller = new AbortController();
    const waiting = pool.lease(controller.signal);
    expect(pool.waitingCount).toBe(1);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(pool.waitingCount).toBe(0);
    held?.release();
    expect(pool.leasedCount).toBe(0);
  });

  it('an empty pool or one with a repeated id is refused', () => {
    expect(() => new UserPool([], createRandom(1))).toThrow(ConfigError);
    const [user] = generateSimulatedUsers(1, 1);
    expect(() => new UserPool([user!, user!], createRandom(1))).toThrow(/one id twice/);
  });
});
