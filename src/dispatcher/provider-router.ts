import type { ProviderName } from '../core/types.js';
import type { DispatchLog } from './dispatcher-options.js';
import type { ProviderSlot } from './provider-slot.js';

/** `wait`: every provider is cooling down or probing; `none`: every provider is disabled. */
export type RouteChoice = ProviderSlot | 'wait' | 'none';

/** Scores this close are equal to routing, so the round-robin decides. */
const RELATIVE_TIE = 1e-9;

/**
 * A conversation that failed over goes home only when home's load would be below this share of
 * where it is now: "clearly less loaded", so a voice is not changed again for a marginal gain.
 */
const FAILBACK_LOAD_RATIO = 0.75;

/**
 * Picks the provider for a request and lets requests wait for the providers to come back.
 * Knows slots, never conversations.
 */
export class ProviderRouter {
  private readonly byName: ReadonlyMap<ProviderName, ProviderSlot>;
  private readonly changeListeners = new Set<() => void>();
  private roundRobinNext = 0;
  private changeVersion = 0;
  private loggedDownVersion = -1;

  constructor(
    readonly slots: readonly ProviderSlot[],
    private readonly now: () => number,
    private readonly log: DispatchLog,
  ) {
    this.byName = new Map(slots.map((slot) => [slot.name, slot]));
  }

  slot(name: ProviderName): ProviderSlot | undefined {
    return this.byName.get(name);
  }

  /**
   * The session's own provider while it takes work (even when paused or saturated: stickiness
   * wins), otherwise the provider that would serve a new request soonest relative to its rate
   * and latency (see ProviderSlot.routingScore).
   */
  choose(current: ProviderName | undefined): RouteChoice {
    const own = current === undefined ? undefined : this.byName.get(current);
    if (own?.accepting()) return own;
    const candidates = this.slots.filter((slot) => slot.accepting());
    if (candidates.length > 0) return this.pickSoonest(candidates);
    return this.hasUsableProvider() ? 'wait' : 'none';
  }

  /**
   * `home`, if a conversation that failed over from it to `current` should go back for its next
   * request: home takes work again (active, or out of cooldown with its probe not yet taken),
   * has room, and would be clearly less loaded than `current` (see ProviderSlot.routingScore).
   * Without this a recovered provider got only newly opened conversations and idled below its
   * rate while the others queued its old ones; and with no new conversation opening (a fixed
   * --concurrency, the last ones before the target) nothing ever sent it its probe. The returns
   * stop by themselves once the loads are about even.
   */
  recoveredHome(home: ProviderName, current: ProviderName): ProviderSlot | undefined {
    const homeSlot = this.byName.get(home);
    const currentSlot = this.byName.get(current);
    if (homeSlot === undefined || currentSlot === undefined || !currentSlot.accepting()) return undefined;
    if (!homeSlot.accepting() || !homeSlot.hasCapacity()) return undefined;
    const now = this.now();
    return homeSlot.routingScore(now) < FAILBACK_LOAD_RATIO * currentSlot.routingScore(now) ? homeSlot : undefined;
  }

  hasUsableProvider(): boolean {
    return this.slots.some((slot) => slot.health.phase !== 'disabled');
  }

  /** Why `name` cannot take the session's next request; the reason of a ProviderSwitch. */
  unavailableReason(name: ProviderName): string {
    const slot = this.byName.get(name);
    if (slot === undefined) return 'provider not configured';
    const phase = slot.health.phase;
    if (phase === 'half_open') return `probe already reserved after cooldown: ${slot.health.describe()}`;
    return slot.health.describe();
  }

  /** Something changed that may let waiting requests go (a cooldown ended, a probe succeeded, a provider was disabled). */
  notifyChange(): void {
    this.changeVersion += 1;
    const listeners = [...this.changeListeners];
    this.changeListeners.clear();
    for (const listener of listeners) listener();
  }

  /** Resolves at the next change; rejects with the signal's reason on abort. Logs the outage once per change. */
  waitForChange(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.logAllDown();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.changeListeners.delete(onChange);
        reject(signal.reason);
      };
      const onChange = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.changeListeners.add(onChange);
    });
  }

  private pickSoonest(candidates: readonly ProviderSlot[]): ProviderSlot {
    // A provider at its concurrency cap is not skipped: its score counts the cap (routingScore).
    // Skipping it sent a local server (10/s, 4 at a time) 4 of the 84 conversations a strict
    // night opened at once and its three 1/s neighbours the other 80.
    const now = this.now();
    const scored = candidates.map((slot) => ({ slot, score: slot.routingScore(now) }));
    const least = Math.min(...scored.map((entry) => entry.score));
    const tied = scored.filter((entry) => entry.score - least <= RELATIVE_TIE * Math.max(1, least));
    return this.nextInRotation(tied.map((entry) => entry.slot));
  }

  /** Round-robin in configuration order among equally good providers. */
  private nextInRotation(tied: readonly ProviderSlot[]): ProviderSlot {
    const count = this.slots.length;
    for (let step = 0; step < count; step++) {
      const index = (this.roundRobinNext + step) % count;
      const slot = this.slots[index];
      if (slot !== undefined && tied.includes(slot)) {
        this.roundRobinNext = index + 1;
        return slot;
      }
    }
    return tied[0] as ProviderSlot;
  }

  private logAllDown(): void {
    if (this.loggedDownVersion === this.changeVersion) return;
    this.loggedDownVersion = this.changeVersion;
    const cooling = this.slots.filter((slot) => slot.health.phase === 'cooling');
    const providers = Object.fromEntries(this.slots.map((slot) => [slot.name, slot.health.describe()]));
    // Each provider's reason in the message too: why they are down is what the reader needs.
    const why = this.slots.map((slot) => `${slot.name}: ${slot.health.describe()}`).join('; ');
    if (cooling.length === 0) {
      this.log('warn', `all providers are down (${why}); waiting until a probe request finishes`, { providers });
      return;
    }
    const earliest = Math.min(...cooling.map((slot) => slot.health.cooldownUntil));
    const until = new Date(earliest).toISOString();
    this.log('warn', `all providers are down (${why}); waiting until ${until}`, { until, providers });
  }
}
