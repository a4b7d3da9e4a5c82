import type { Logger } from 'pino';

export interface ShutdownTargets {
  readonly runner: { drain(reason: string): void; abortAll(reason: string): void; readonly inFlight: number };
  readonly reporter: { drain(reason: string): Promise<unknown> };
  readonly logger: Logger;
  readonly graceSeconds: number;
  /** @default process */
  readonly process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * First SIGINT/SIGTERM: stop opening conversations and give those in flight `graceSeconds` to
 * finish and be saved; then abort them (their HTTP calls included). Second signal: abort at once.
 * Either way the runner still waits for appends under way, so no line is ever torn.
 */
export function handleShutdownSignals(targets: ShutdownTargets): { immediate(): boolean; dispose(): void } {
  const target = targets.process ?? process;
  let received = 0;
  let immediate = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received === 1) {
      targets.logger.warn(
        { signal, inFlight: targets.runner.inFlight, graceSeconds: targets.graceSeconds },
        `${signal} received: draining: no new conversations; waiting up to ${targets.graceSeconds} s for the ${targets.runner.inFlight} in flight (send the signal again to stop at once)`,
      );
      targets.runner.drain(signal);
      void targets.reporter.drain(signal);
      graceTimer = setTimeout(() => {
        targets.logger.warn({ inFlight: targets.runner.inFlight }, 'grace period over: aborting the conversations still in flight');
        targets.runner.abortAll('grace period over');
      }, targets.graceSeconds * 1000);
      graceTimer.unref();
      return;
    }
    immediate = true;
    targets.logger.warn({ signal, inFlight: targets.runner.inFlight }, `${signal} received again: stopping now`);
    targets.runner.abortAll(`second ${signal}`);
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return {
    immediate: () => immediate,
    dispose: () => {
      if (graceTimer) clearTimeout(graceTimer);
      target.off('SIGINT', onSignal);
      target.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Holds a SIGINT/SIGTERM that arrives while the run is still starting (reading the output,
 * recovering tool rows): instead of Node's default of dying mid-start, the run drains as soon as
 * it exists, which with nothing in flight means a clean stop at once.
 */
export function holdEarlySignals(
  target: Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'> = process,
): { received(): NodeJS.Signals | undefined; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  const dispose = () => {
    target.off('SIGINT', onSignal);
    target.off('SIGTERM', onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    if (received === undefined) {
      received = signal;
      return;
    }
    // Asked twice while starting: stop at once, as Node would have without this listener.
    dispose();
    target.kill(target.pid, signal);
  }
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return { received: () => received, dispose };
}
