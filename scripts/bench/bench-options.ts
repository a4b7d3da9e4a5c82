import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Conversations of the main run (automatic concurrency). @default 500, 100 with --quick */
  readonly conversations: number;
  /** `--concurrency` of the main run. @default the daemon's automatic choice */
  readonly concurrency: number | undefined;
  /** Conversations of the `--concurrency 1` run; 0 skips it. @default 20, 5 with --quick */
  readonly serialConversations: number;
  /** Lines of the file the store's start-up scan is timed on; 0 skips it. @default 100_000, 10_000 with --quick */
  readonly storeConversations: number;
  /** Seeds the emulator and the daemon's simulated users. @default 1 */
  readonly seed: number;
  /** Probability of an injected 429 (Retry-After 1 s) per request. @default 0.03 */
  readonly rate429: number;
  /** Probability of an injected 500 per request. @default 0.01 */
  readonly rate500: number;
  /** The wait an injected 429 asks for; undefined = one request interval. */
  readonly injectedRetryAfterMs: number | undefined;
  /** Scenarios run after the main one (issue 9): strict limiters, hung requests, fast providers. @default all */
  readonly scenarios: readonly BenchScenario[];
  readonly quick: boolean;
  readonly json: boolean;
  readonly help: boolean;
}

export const BENCH_SCENARIOS = ['limiter', 'hang', 'saturation'] as const;
export type BenchScenario = (typeof BENCH_SCENARIOS)[number];

export const BENCH_HELP = `Usage: npm run bench -- [options]

Runs the real daemon against the emulator (mistral 8, together 8, huggingface 4 requests/s;
log-normal latency, median 800 ms; 3 % injected 429s, 1 % 500s) and prints a Markdown table.

  --conversations N        conversations of the main run (default: 500)
  --concurrency N          pass --concurrency N to the main run (default: automatic)
  --serial-conversations N conversations of the --concurrency 1 run, 0 to skip (default: 20)
  --store-conversations N  lines of the file the store's start-up scan is timed on, 0 to skip (default: 100000)
  --seed N                 emulator and simulated-user seed (default: 1)
  --rate-429 P             injected 429s per request (default: 0.03)
  --retry-after-ms N       the wait an injected 429 asks for (default: one request interval, as a real
                           limiter answers; 1000 reproduces a limiter that only speaks whole seconds)
  --rate-500 P             injected 500s per request (default: 0.01)
  --scenarios a,b          scenarios after the main run, or none (default: all):
                             limiter     strict sliding-window and token-bucket limiters, 500 conversations each
                             hang        100 conversations without and with 1 % hung requests and 1 % stalled streams
                             saturation  two providers at 60 requests/s with 150 ms latency, 1000 conversations
  --quick                  smoke check: 100, 5 and 10000 unless given, smaller scenarios
  --json                   print the figures as JSON instead of the table
  --help                   this text
`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      conversations: { type: 'string' },
      concurrency: { type: 'string' },
      'serial-conversations': { type: 'string' },
      'store-conversations': { type: 'string' },
      seed: { type: 'string' },
      'rate-429': { type: 'string' },
      'rate-500': { type: 'string' },
      'retry-after-ms': { type: 'string' },
      scenarios: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  return {
    conversations: integer('--conversations', values.conversations, 1) ?? (quick ? 100 : 500),
    concurrency: integer('--concurrency', values.concurrency, 1),
    serialConversations: integer('--serial-conversations', values['serial-conversations'], 0) ?? (quick ? 5 : 20),
    storeConversations: integer('--store-conversations', values['store-conversations'], 0) ?? (quick ? 10_000 : 100_000),
    seed: integer('--seed', values.seed, 0) ?? 1,
    rate429: probability('--rate-429', values['rate-429']) ?? 0.03,
    rate500: probability('--rate-500', values['rate-500']) ?? 0.01,
    injectedRetryAfterMs: integer('--retry-after-ms', values['retry-after-ms'], 1),
    scenarios: parseScenarios(values.scenarios),
    quick,
    json: values.json,
    help: values.help,
  };
}

function integer(flag: string, text: string | undefined, minimum: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < minimum) {
    throw new Error(`${flag} expects a whole number of at least ${minimum}, got "${text}".`);
  }
  return value;
}

function probability(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${flag} expects a probability between 0 and 1, got "${text}".`);
  }
  return value;
}

function parseScenarios(text: string | undefined): BenchScenario[] {
  if (text === undefined || text === 'all') return [...BENCH_SCENARIOS];
  if (text === 'none') return [];
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(BENCH_SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--scenarios expects all, none or some of ${BENCH_SCENARIOS.join(', ')}, got "${unknown.join(', ')}".`);
  return names as BenchScenario[];
}
