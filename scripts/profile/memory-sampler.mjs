/**
 * Preloaded into the daemon (`node --import=<this file>?out=<file>`) by
 * `scripts/profile-daemon.ts --memory-samples`: appends process.memoryUsage() as one NDJSON line
 * every 100 ms, so a run shows when its RSS peaks and what V8 held then. A measurement aid only:
 * its own cost is one timer (unref'd, so it never keeps the daemon alive) and a line per sample.
 */
import { appendFileSync } from 'node:fs';

const out = new URL(import.meta.url).searchParams.get('out');
if (out !== null) {
  const sample = () => {
    const usage = process.memoryUsage();
    appendFileSync(out, `${JSON.stringify({ t: Date.now(), ...usage })}\n`);
  };
  sample();
  setInterval(sample, 100).unref();
  process.on('exit', sample);
}
