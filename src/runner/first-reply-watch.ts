import type { ProviderName, ProviderState } from '../core/types.js';
import { formatDuration } from '../stats/format-units.js';

/** Exit code of a run in which no provider answered a single request in time (README, exit codes). */
export const NO_REPLY_EXIT_CODE = 3;

export interface FirstReplyWatchOptions {
  /** 0 turns the watch off. */
  readonly timeoutMs: number;
  readonly providerStates: () => Partial<Record<ProviderName, ProviderState>>;
  /** Called once, with the reason, if the time passes without a single reply. */
  readonly onTimeout: (reason: string) => void;
  /**
   * The time counts from when this resolves (every provider's SDK loaded, so every provider can
   * have been asked), or from the call when absent. A reply before that ends the watch too.
   */
  readonly startAfter?: Promise<void>;
}

/**
 * A wrong base URL, a typo in a host name or a firewall fails every request all night while the
 * daemon waits politely. If no provider has answered a single request within the first minutes,
 * the run says why (each provider's state holds its last failure: host, error code, URL) and
 * stops, instead of waiting on a typo until morning.
 */
export function watchFirstReply(options: FirstReplyWatchOptions): { answered(): void; dispose(): void } {
  if (options.timeoutMs <= 0) return { answered: () => undefined, dispose: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const start = (): void => {
    if (ended) return;
    timer = setTimeout(() => {
      const providers = Object.entries(options.providerStates())
        .map(([name, state]) => `${name}: ${describeState(state)}`)
        .join('; ');
      options.onTimeout(
        `no provider answered a single request in the first ${formatDuration(options.timeoutMs / 1000)} (--first-reply-timeout): ` +
          `${providers}. Check the base URLs, the network and the keys`,
      );
    }, options.timeoutMs);
    // The run's own work keeps the process alive; this timer must never be the reason it waits.
    timer.unref();
  };
  if (options.startAfter === undefined) start();
  else options.startAfter.then(start, () => undefined);
  const end = (): void => {
    ended = true;
    clearTimeout(timer);
  };
  return { answered: end, dispose: end };
}

function describeState(state: ProviderState | undefined): string {
  if (state === undefined || state.status === 'active') return 'no reply yet';
  if (state.status === 'disabled') return `disabled: ${state.reason}`;
  return `cooling down: ${state.reason}`;
}
