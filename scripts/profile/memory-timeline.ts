/**
 * Reads the samples scripts/profile/memory-sampler.mjs wrote during a daemon run and says when the
 * RSS peaked and what made it up then (V8's heap in use and reserved, external memory, array
 * buffers), beside the conversations in flight from the daemon's progress records. A measurement
 * aid for issue 9 §7: it asserts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';

interface MemorySample {
  readonly t: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** A progress record's time and conversations in flight, as the daemon logged them. */
export interface InFlightReading {
  readonly time: number;
  readonly inFlight: number;
}

const MB = 1024 * 1024;

export function readMemorySamples(file: string): MemorySample[] {
  if (!existsSync(file)) return [];
  const samples: MemorySample[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      samples.push(JSON.parse(line) as MemorySample);
    } catch {
      // A line torn by the daemon's exit: the others still tell the story.
    }
  }
  return samples;
}

/** One line per `stepMs` (the sample with the highest RSS in each step), then the peak itself. */
export function describeMemoryTimeline(samples: readonly MemorySample[], inFlight: readonly InFlightReading[], stepMs: number): string {
  if (samples.length === 0) return 'no memory samples (was the sampler preloaded?)\n';
  const origin = samples[0]!.t;
  const lines = ['   time      rss heapUsed heapTotal external arrayBuffers inFlight'];
  const format = (sample: MemorySample): string =>
    `${((sample.t - origin) / 1000).toFixed(1).padStart(6)} s ${mb(sample.rss)} ${mb(sample.heapUsed)} ${mb(sample.heapTotal)} ${mb(sample.external)} ${mb(sample.arrayBuffers)} ${String(inFlightAt(inFlight, sample.t) ?? '–').padStart(8)}`;
  let step: MemorySample | undefined;
  for (const sample of samples) {
    if (step !== undefined && Math.floor((sample.t - origin) / stepMs) !== Math.floor((step.t - origin) / stepMs)) {
      lines.push(format(step));
      step = undefined;
    }
    if (step === undefined || sample.rss > step.rss) step = sample;
  }
  if (step !== undefined) lines.push(format(step));
  const peak = samples.reduce((highest, sample) => (sample.rss > highest.rss ? sample : highest));
  lines.push(`peak: ${format(peak).trim()}`);
  return `${lines.join('\n')}\n`;
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(0)} MB`.padStart(8);
}

/** The latest progress reading at or before `time`. */
function inFlightAt(readings: readonly InFlightReading[], time: number): number | undefined {
  let found: number | undefined;
  for (const reading of readings) {
    if (reading.time > time) break;
    found = reading.inFlight;
  }
  return found;
}
