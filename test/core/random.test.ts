import { describe, expect, it } from 'vitest';
import { createRandom, integerBetween, seedFromString } from '../../src/core/random.js';

describe('seeded random', () => {
  it('the same seed replays the same sequence and another seed does not', () => {
    const first = createRandom(42);
    const second = createRandom(42);
    const other = createRandom(43);
    const a = [first(), first(), first()];
    expect([second(), second(), second()]).toEqual(a);
    expect([other(), other(), other()]).not.toEqual(a);
  });

  it('integers stay within their inclusive bounds', () => {
    const random = createRandom(seedFromString('bounds'));
    const seen = new Set<number>();
    for (let index = 0; index < 500; index++) seen.add(integerBetween(random, 1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
});
