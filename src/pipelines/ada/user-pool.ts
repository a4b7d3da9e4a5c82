import { ConfigError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { SimulatedUser } from './simulated-users.js';

/** A user held by one conversation until `release` (idempotent). */
export interface UserLease {
  readonly user: SimulatedUser;
  release(): void;
}

interface Waiter {
  readonly resolve: (lease: UserLease) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * Hands out simulated users so that no user is in two conversations at once (their memory rows
 * would interleave). Free users are chosen at random (seeded), so every user accumulates history;
 * when all are busy, `lease` waits in arrival order.
 */
export class UserPool {
  readonly #users: readonly SimulatedUser[];
  readonly #free: SimulatedUser[];
  readonly #leased = new Set<string>();
  readonly #waiters: Waiter[] = [];
  readonly #random: Random;

  constructor(users: readonly SimulatedUser[], random: Random) {
    if (users.length === 0) throw new ConfigError('The simulated user pool is empty; use --users N with N >= 1.');
    const ids = new Set(users.map((user) => user.id));
    if (ids.size !== users.length) throw new ConfigError('The simulated user pool lists one id twice; each user needs its own id.');
    this.#users = users;
    this.#free = [...users];
    this.#random = random;
  }

  get size(): number {
    return this.#users.length;
  }

  get leasedCount(): number {
    return this.#leased.size;
  }

  get waitingCount(): number {
    return this.#waiters.length;
  }

  isLeased(userId: string): boolean {
    return this.#leased.has(userId);
  }

  /** A free user now, or undefined when every user is in a conversation. */
  tryLease(): UserLease | undefined {
    if (this.#free.length === 0) return undefined;
    const at = Math.floor(this.#random() * this.#free.length);
    const user = this.#free.splice(at, 1)[0] as SimulatedUser;
    this.#leased.add(user.id);
    let released = false;
    return {
      user,
      release: () => {
        if (released) return;
        released = true;
        this.#leased.delete(user.id);
        this.#free.push(user);
        this.#serveWaiters();
      },
    };
  }

  /** A free user, waiting for one when all are busy; rejects with the signal's reason on abort. */
  lease(signal?: AbortSignal): Promise<UserLease> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lease = this.#waiters.length === 0 ? this.tryLease() : undefined;
    if (lease !== undefined) return Promise.resolve(lease);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #serveWaiters(): void {
    while (this.#waiters.length > 0 && this.#free.length > 0) {
      const waiter = this.#waiters.shift() as Waiter;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.tryLease() as UserLease);
    }
  }
}
