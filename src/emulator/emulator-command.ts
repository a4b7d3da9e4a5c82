import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import type { ProviderName } from '../core/types.js';
import type { EmulatorFaults, EmulatorOptions, EmulatorProviderOptions, ToolCallFormat } from './emulator-options.js';
import type { LimiterKind } from './rate-limiter.js';
import type { RateLimitHeaderStyle } from './rate-limit-response-headers.js';
import { checkEmulatorOptions } from './check-emulator-options.js';
import { startEmulator } from './emulator-server.js';

export const EMULATOR_HELP = `Usage: npm run emulator -- [options]

Starts a local server that speaks the Mistral, Together, Hugging Face and OpenAI-compatible chat
APIs with a scripted model, for offline runs and benchmarks. Prints the base URL of each provider
as lines to paste into .env, and runs until Ctrl-C (SIGINT) or SIGTERM.

Options (rates are probabilities per request, 0 to 1; every provider gets the same settings):
  --port N                 port on 127.0.0.1 (0 picks a free one)          default 8787
  --seed N                 seed of every random choice                    default 1
  --rps N                  requests per second each provider allows       default unlimited
  --limiter L              token-bucket | sliding-window (requests counted on
                           arrival in a strict sliding one-second window)  default token-bucket
  --burst N                rate-limit bucket size (token bucket)          default ceil(rps)
  --uncounted-refusals     sliding window: refused arrivals do not take a place in the window
                           (by default they do, as in the harshest gateways)
  --tpm N                  tokens per minute each provider allows         default unlimited
  --rate-limit-headers S   send rate-limit headers: native (each provider's own), openai,
                           together or mistral                            default none
  --latency-ms N           median answer latency (log-normal)             default 0
  --latency-sigma N        spread of the latency                          default 0.35
  --fault-429 P            injected 429 "overloaded" (not the limiter) with Retry-After
  --fault-500 P            injected 500
  --fault-503 P            injected 503
  --fault-malformed P      200 with a cut JSON body
  --fault-hang P           never answers
  --fault-reset P          drops the connection
  --fault-empty P          empty model reply
  --fault-truncated P      reply cut with finish_reason "length"
  --fault-tester-leak P    tester reply leaks <think> or "User:"
  --tool-call-format F     hermes | python | mistral | plain | mixed      default mixed
  --tool-call-rate P       chance the assistant calls tools               default 0.6
  --injected-retry-after-ms N  wait an injected 429 asks for        default one request interval (1000 without --rps)
  --lenient                accept any message order (strict rules off)
  --auth-failure           answer every request with 401
  -h, --help               show this text
`;

const ENVIRONMENT_NAMES: Readonly<Record<ProviderName, string>> = {
  mistral: 'MISTRAL_BASE_URL',
  together: 'TOGETHER_BASE_URL',
  huggingface: 'HF_BASE_URL',
  openai_compatible: 'OPENAI_COMPATIBLE_BASE_URL',
};

const FAULT_FLAGS: Readonly<Record<string, keyof EmulatorFaults>> = {
  'fault-429': 'rate429',
  'fault-500': 'rate500',
  'fault-503': 'rate503',
  'fault-malformed': 'rateMalformed',
  'fault-hang': 'rateHang',
  'fault-reset': 'rateReset',
  'fault-empty': 'rateEmptyReply',
  'fault-truncated': 'rateTruncated',
  'fault-tester-leak': 'rateTesterLeak',
};

const NUMBER_FLAGS = ['port', 'seed', 'rps', 'burst', 'tpm', 'latency-ms', 'latency-sigma', 'tool-call-rate', 'injected-retry-after-ms', ...Object.keys(FAULT_FLAGS)];

const PARSE_OPTIONS = {
  ...Object.fromEntries(NUMBER_FLAGS.map((name) => [name, { type: 'string' as const }])),
  'tool-call-format': { type: 'string' as const },
  limiter: { type: 'string' as const },
  'rate-limit-headers': { type: 'string' as const },
  'uncounted-refusals': { type: 'boolean' as const },
  lenient: { type: 'boolean' as const },
  'auth-failure': { type: 'boolean' as const },
  help: { type: 'boolean' as const, short: 'h' },
};

export interface EmulatorCommandIo {
  /** Where the URLs and status lines go. @default process.stdout */
  readonly write?: (text: string) => void;
  /** Stops the server when aborted, in addition to SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

/** `npm run emulator -- ...`: runs the emulator until a signal arrives, then closes it cleanly. */
export async function runEmulatorCommand(argv: string[], io: EmulatorCommandIo = {}): Promise<void> {
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  const values = parseFlags(argv);
  if (values.help === true) {
    write(EMULATOR_HELP);
    return;
  }
  const options = toEmulatorOptions(values);
  const emulator = await startEmulator(options);
  write(`# nightshift emulator on ${emulator.url} (seed ${options.seed ?? 1}); counters at ${emulator.url}/_emulator/counters\n`);
  for (const [provider, name] of Object.entries(ENVIRONMENT_NAMES)) {
    write(`${name}=${emulator.baseUrls[provider as ProviderName]}\n`);
  }
  await waitForStop(io.signal);
  await emulator.close();
  write('# nightshift emulator closed\n');
}

function parseFlags(argv: string[]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options: PARSE_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help to see the flags.`, { cause: error });
  }
}

function toEmulatorOptions(values: Record<string, string | boolean | undefined>): EmulatorOptions {
  const number = (name: string): number | undefined => {
    const raw = values[name];
    if (typeof raw !== 'string') return undefined;
    const parsed = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(parsed)) {
      throw new ConfigError(`Expected --${name} to be a number, got "${raw}".`);
    }
    return parsed;
  };
  const faults: Record<string, number> = {};
  for (const [flag, key] of Object.entries(FAULT_FLAGS)) {
    const rate = number(flag);
    if (rate !== undefined) faults[key] = rate;
  }
  const medianMs = number('latency-ms');
  const defaults: EmulatorProviderOptions = {
    requestsPerSecond: number('rps'),
    limiter: values.limiter as LimiterKind | undefined,
    burst: number('burst'),
    countRefused: values['uncounted-refusals'] === true ? false : undefined,
    tokensPerMinute: number('tpm'),
    rateLimitHeaders: headerStyle(values['rate-limit-headers']),
    latency: medianMs === undefined ? undefined : { medianMs, sigma: number('latency-sigma') },
    faults,
    strict: values.lenient !== true,
    authFailure: values['auth-failure'] === true,
    toolCallFormat: values['tool-call-format'] as ToolCallFormat | 'mixed' | undefined,
    toolCallRate: number('tool-call-rate'),
    injectedRetryAfterMs: number('injected-retry-after-ms'),
  };
  const options: EmulatorOptions = { seed: number('seed') ?? 1, port: number('port') ?? 8787, defaults };
  try {
    checkEmulatorOptions(options);
  } catch (error) {
    // A bad flag is a configuration error (exit code 2), with the allowed range in the message.
    throw new ConfigError(`Invalid emulator flag: ${(error as Error).message}.`, { cause: error });
  }
  return options;
}

/** `native` is each provider's own style; any other value is checked with the rest of the options. */
function headerStyle(value: string | boolean | undefined): boolean | RateLimitHeaderStyle | undefined {
  if (typeof value !== 'string') return undefined;
  return value === 'native' ? true : (value as RateLimitHeaderStyle);
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted === true) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
