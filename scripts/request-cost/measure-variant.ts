/**
 * The child process of `scripts/bench-request-cost.ts`: makes one variant's requests against the
 * emulator its parent runs and prints, as one JSON line, the CPU this process spent on the
 * measured requests (after a warm-up, so module loading and the JIT's first compilations are not
 * counted). Its own process, so nothing else shares the CPU counters: not the emulator, not another
 * variant's SDK.
 */
import { performance } from 'node:perf_hooks';
import { VARIANTS, type RequestOnce, type RequestOutcome, type VariantSetup } from './variants.js';

export interface MeasureInput {
  readonly variant: string;
  readonly setup: VariantSetup;
  readonly requests: number;
  readonly warmUp: number;
  readonly inFlight: number;
}

export interface MeasureOutput {
  readonly variant: string;
  readonly requests: number;
  readonly userMs: number;
  readonly systemMs: number;
  readonly wallMs: number;
  /** Mean characters of the reply per request, to check every variant got the same reply (null when not read). */
  readonly replyCharacters: number | null;
  /** Mean pieces of the body read per request, where the variant sees them (0 otherwise). */
  readonly piecesPerRequest: number;
}

/** `count` requests, `inFlight` at a time, each started as soon as one ends. */
async function runRequests(once: RequestOnce, count: number, inFlight: number): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      outcomes.push(await once());
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return outcomes;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as MeasureInput;
  const variant = VARIANTS.find((candidate) => candidate.name === input.variant);
  if (variant === undefined) throw new Error(`Expected a variant among ${VARIANTS.map((each) => `"${each.name}"`).join(', ')}, got "${input.variant}"`);
  const once = await variant.prepare(input.setup);
  await runRequests(once, input.warmUp, input.inFlight);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const outcomes = await runRequests(once, input.requests, input.inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  const sum = (pick: (outcome: RequestOutcome) => number): number => outcomes.reduce((total, outcome) => total + pick(outcome), 0);
  const output: MeasureOutput = {
    variant: variant.name,
    requests: outcomes.length,
    userMs: cpu.user / 1000,
    systemMs: cpu.system / 1000,
    wallMs,
    replyCharacters: outcomes.some((outcome) => outcome.characters === undefined) ? null : sum((outcome) => outcome.characters ?? 0) / outcomes.length,
    piecesPerRequest: sum((outcome) => outcome.pieces) / outcomes.length,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

await main();
