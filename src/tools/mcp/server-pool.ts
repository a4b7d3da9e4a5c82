/**
 * The processes of one server, at most `maxConnections` at once, each bound for its whole life to
 * one key: a sandbox directory, or `SHARED_KEY` for a server without one. A call leases the
 * connection of its own key; when there is none and the pool is full, the least recently used idle
 * connection of another key is closed first, and when none is idle the call waits. A connection
 * whose process died is started again on the next lease.
 *
 * Isolation rests on this: a connection is started with one sandbox in its arguments and is only
 * ever leased for that sandbox's key, so no call can reach another conversation's files through it.
 */
import type { ServerConnection } from './server-connection.js';

export const SHARED_KEY = '';

interface Slot {
  readonly key: string;
  connection: ServerConnection | undefined;
  starting: Promise<ServerConnection> | undefined;
  /** Closing of the connections retired before this slot: it starts only after, so the bound holds. */
  readonly predecessor: Promise<void>;
  active: number;
  lastUsed: number;
  retireWhenIdle: boolean;
}

export interface PoolEvents {
  /** A connection was started for `key`; `restart` when a dead one of the same key was replaced. */
  readonly onStart?: (key: string, connection: ServerConnection, restart: boolean) => void;
}

export class ServerPool {
  private readonly slots = new Map<string, Slot>();
  private waiters: (() => void)[] = [];
  private readonly retiring = new Set<Promise<void>>();
  private useCounter = 0;
  private closing = false;

  constructor(
    private readonly start: (key: string) => Promise<ServerConnection>,
    private readonly maxConnections: number,
    private readonly events: PoolEvents = {},
  ) {}

  /** Runs `work` on a live connection bound to `key`. */
  async use<Result>(key: string, work: (connection: ServerConnection) => Promise<Result>): Promise<Result> {
    const slot = await this.acquire(key);
    try {
      return await work(await this.connect(slot));
    } finally {
      slot.active -= 1;
      slot.lastUsed = ++this.useCounter;
      if (slot.active === 0 && slot.retireWhenIdle) await this.retire(slot);
      this.wake();
    }
  }

  /** Closes the connection bound to `key` now, or after its last call ends. */
  async release(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    if (slot.active > 0) {
      slot.retireWhenIdle = true;
      return;
    }
    await this.retire(slot);
    this.wake();
  }

  /** Live processes and the key each is bound to. */
  connections(): readonly { readonly key: string; readonly pid: number | undefined }[] {
    return [...this.slots.values()]
      .filter((slot) => slot.connection !== undefined && !slot.connection.closed)
      .map((slot) => ({ key: slot.key, pid: slot.connection?.pid }));
  }

  get size(): number {
    return this.slots.size;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.slots.values()].map((slot) => this.retire(slot)));
    this.wake();
  }

  private async acquire(key: string): Promise<Slot> {
    for (;;) {
      if (this.closing) throw new Error('the MCP tools were closed');
      const own = this.slots.get(key);
      if (own !== undefined) {
        own.active += 1;
        return own;
      }
      if (this.slots.size >= this.maxConnections) {
        const idle = this.leastRecentlyUsedIdle();
        if (idle === undefined) {
          await new Promise<void>((resolve) => this.waiters.push(resolve));
          continue;
        }
        void this.retire(idle);
      }
      // Processes still closing count against the bound until they are gone.
      const predecessor = Promise.all([...this.retiring]).then(() => undefined);
      const slot: Slot = { key, connection: undefined, starting: undefined, predecessor, active: 1, lastUsed: 0, retireWhenIdle: false };
      this.slots.set(key, slot);
      return slot;
    }
  }

  private async connect(slot: Slot): Promise<ServerConnection> {
    if (slot.connection !== undefined && !slot.connection.closed) return slot.connection;
    if (slot.starting === undefined) {
      const restart = slot.connection !== undefined;
      slot.starting = slot.predecessor
        .then(() => this.start(slot.key))
        .then(
          (connection) => {
            slot.connection = connection;
            slot.starting = undefined;
            this.events.onStart?.(slot.key, connection, restart);
            return connection;
          },
          (error: unknown) => {
            slot.starting = undefined;
            throw error;
          },
        );
    }
    return slot.starting;
  }

  private leastRecentlyUsedIdle(): Slot | undefined {
    let oldest: Slot | undefined;
    for (const slot of this.slots.values()) {
      if (slot.active === 0 && (oldest === undefined || slot.lastUsed < oldest.lastUsed)) oldest = slot;
    }
    return oldest;
  }

  /** Forgets the slot at once (its key may start a new one) and closes its process. */
  private retire(slot: Slot): Promise<void> {
    if (this.slots.get(slot.key) === slot) this.slots.delete(slot.key);
    const closing = (async () => {
      const connection = slot.connection ?? (await slot.starting?.catch(() => undefined));
      slot.connection = undefined;
      await connection?.close().catch(() => undefined);
    })();
    this.retiring.add(closing);
    return closing.finally(() => this.retiring.delete(closing));
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
