import type { Random } from '../core/random.js';
import type { EmulatorLatency } from './emulator-options.js';

const DEFAULT_SIGMA = 0.35;
/** Caps the tail so one unlucky draw cannot stall a test for minutes. */
const MAXIMUM_FACTOR = 8;

/**
 * A log-normal delay (the usual shape of API latency: a median with a long right tail).
 * Draws two numbers every call, so the latency stream stays aligned whatever the settings.
 */
export function sampleLatencyMs(random: Random, latency: EmulatorLatency | undefined): number {
  const first = random();
  const second = random();
  if (latency === undefined || latency.medianMs <= 0) return 0;
  const sigma = latency.sigma ?? DEFAULT_SIGMA;
  // Box-Muller; 1 - first keeps the logarithm away from zero.
  const normal = Math.sqrt(-2 * Math.log(1 - first)) * Math.cos(2 * Math.PI * second);
  const factor = Math.min(MAXIMUM_FACTOR, Math.exp(sigma * normal));
  return latency.medianMs * factor;
}
