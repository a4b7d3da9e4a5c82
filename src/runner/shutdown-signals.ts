import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/**
 * Copies of one stop signal arrive within this many ms of the first; a deliberate second one comes
 * later. A terminal's Ctrl+C reaches every process of the foreground group (npm and the daemon),
 * and a parent that relays signals (npm to its child, tsx's CLI, a wrapper script, a supervisor)
 * delivers it once more: such copies arrive within ~50 ms (36 ms seen on a loaded machine), while a
 * person pressing Ctrl+C twice on purpose is 300 ms apart or more. 250 ms is five times the
 * copies' spread and still under a deliberate double press.
 */
export const SIGNAL_COPY_WINDOW_MS = 250;

/**
 * - `first`: the first stop signal: drain.
 * - `copy`: the same stop delivered again, within the window of the first: nothing more to do.
 * - `again`: a later signal, sent on purpose: stop at once.
 */
export type SignalVerdict = 'first' | 'copy' | 'again';
export type SignalRoute = (signal: NodeJS.Signals, verdict: SignalVerdict, sinceFirstMs: number) => void;

export interface StopSignalOptions {
  /** @default process */
  readonly process?: Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'>;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
  /** @default SIGNAL_COPY_WINDOW_MS */
  readonly copyWindowMs?: number;
}

export interface StopSignals {
  /** The first stop signal received so far, if any. */
  received(): NodeJS.Signals | undefined;
  /** Hands every signal to `route` (the run's handler) until called again with undefined. */
  route(route: SignalRoute | undefined): void;
  /** Stops listening: Node's default (exit at once) applies again. */
  dispose(): void;
}

/**
 * Listens for SIGINT/SIGTERM for the whole command and tells a fresh stop from a copy of one.
 * While nothing is routed (start-up, and the last flush after the run) the first signal is held
 * instead of Node's default of dying mid-start: the run drains as soon as it exists, which with
 * nothing in flight is a clean stop at once. Copies are ignored; a later signal stops at once, as
 * Node would have without this listener.
 */
export function holdEarlySignals(options: StopSignalOptions = {}): StopSignals {
  const target = options.process ?? process;
  const now = options.now ?? (() => performance.now());
  const copyWindowMs = options.copyWindowMs ?? SIGNAL_COPY_WINDOW_MS;
  let first: { readonly signal: NodeJS.Signals; readonly at: number } | undefined;
  let routed: SignalRoute | undefined;
  const dispose = () => {
    target.off('SIGINT', onSignal);
    target.off('SIGTERM', onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    const at = now();
    let verdict: SignalVerdict = 'first';
    if (first === undefined) first = { signal, at };
    else verdict = at - first.at < copyWindowMs ? 'copy' : 'again';
    if (routed !== undefined) return routed(signal, verdict, at - first.at);
    if (verdict !== 'again') return;
    dispose();
    target.kill(target.pid, signal);
  }
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return {
    received: () => first?.signal,
    route: (route) => {
      routed = route;
    },
    dispose,
  };
}

export interface ShutdownTargets {
  readonly runner: { drain(reason: string): void; abortAll(reason: string): void; readonly inFlight: number };
  readonly reporter: { drain(reason: string): Promise<unknown> };
  readonly logger: Logger;
  readonly graceSeconds: number;
  /** Where the signals come from; the run's handler is routed there until `dispose`. */
  readonly signals: Pick<StopSignals, 'route'>;
}

/**
 * First SIGINT/SIGTERM: stop opening conversations and give those in flight `graceSeconds` to
 * finish and be saved; then abort them (their HTTP calls included). Copies of it change nothing. A
 * later signal aborts at once. Either way the runner still waits for appends under way, so no
 * line is ever torn.
 */
export function handleShutdownSignals(targets: ShutdownTargets): { immediate(): boolean; dispose(): void } {
  const { runner, logger, graceSeconds } = targets;
  let immediate = false;
  let copyLogged = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal: SignalRoute = (signal, verdict, sinceFirstMs) => {
    if (verdict === 'first') {
      logger.warn(
        { signal, inFlight: runner.inFlight, graceSeconds },
        `${signal} received: draining: no new conversations; waiting up to ${graceSeconds} s for the ${runner.inFlight} in flight (send the signal again to stop at once)`,
      );
      runner.drain(signal);
      void targets.reporter.drain(signal);
      graceTimer = startGracePeriod(runner, logger, graceSeconds);
      return;
    }
    if (verdict === 'copy') {
      if (copyLogged) return;
      copyLogged = true;
      const afterMs = Math.round(sinceFirstMs);
      logger.info(
        { signal, copyAfterMs: afterMs },
        `${signal} received again ${afterMs} ms after the first: the same stop delivered twice (a terminal signals every process of its group, and a parent may relay it), still draining; send it again to stop at once`,
      );
      return;
    }
    if (immediate) return;
    immediate = true;
    logger.warn({ signal, inFlight: runner.inFlight }, `${signal} received again: stopping now`);
    runner.abortAll(`second ${signal}`);
  };
  targets.signals.route(onSignal);
  return {
    immediate: () => immediate,
    dispose: () => {
      if (graceTimer) clearTimeout(graceTimer);
      targets.signals.route(undefined);
    },
  };
}

/**
 * The conversations in flight get `graceSeconds` to finish and be saved, then are aborted; for a
 * first stop signal and for a budget alike. The timer never keeps the process alive by itself.
 */
export function startGracePeriod(runner: ShutdownTargets['runner'], logger: Logger, graceSeconds: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    logger.warn({ inFlight: runner.inFlight }, 'grace period over: aborting the conversations still in flight');
    runner.abortAll('grace period over');
  }, graceSeconds * 1000);
  timer.unref();
  return timer;
}
