import { performance } from 'node:perf_hooks';

/**
 * The event loop's utilization since the previous call: how much of the time the daemon itself was
 * busy (DispatcherOptions.busyShare), so a starved provider is not answered with more conversations
 * the process has no time for.
 */
export function eventLoopBusyShare(): () => number {
  let previous = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(current, previous).utilization;
    previous = current;
    return share;
  };
}
