import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import type { ProviderType } from '../core/types.js';
import type { Emulator, EmulatorFaults, EmulatorOptions, EmulatorProviderOptions, ToolCallFormat } from './emulator-options.js';
import type { LimiterKind } from './rate-limiter.js';
import type { RateLimitHeaderStyle } from './rate-limit-response-headers.js';
import { checkEmulatorOptions } from './check-emulator-options.js';
import type { EmulatorDefects } from './defects.js';
import { startEmulator } from './emulator-server.js';

export const EMULATOR_HELP = `Usage: npm run emulator -- [options]

Starts a local server that speaks the Mistral, Together, Hugging Face and OpenAI-compatible chat
APIs with a scripted model, for offline runs and benchmarks. Prints lines to paste into .env as
they are (each provider's base URL and a dummy key), and runs until Ctrl-C (SIGINT) or SIGTERM.
Exit codes: 0 stopped by a signal, 2 a bad flag or the port is in use.

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
  --latency-first-chunk F  share of the latency before a stream's first chunk  default 0.25
  --stream-chunk-chars N   reply characters per streamed chunk            default 16
  --fault-429 P            injected 429 "overloaded" (not the limiter) with Retry-After
  --fault-500 P            injected 500
  --fault-503 P            injected 503
  --fault-malformed P      200 with a cut JSON body
  --fault-hang P           never answers (no headers)
  --fault-reset P          drops the connection
  --fault-stall P          stalls mid-answer: headers and part of the stream, then silence
  --fault-empty P          empty model reply
  --fault-truncated P      reply cut with finish_reason "length"
  --fault-tester-leak P    tester reply leaks <think> or "User:"
  --defect-no-think P      Ada's reply without <think> (labelled missing-think)
  --defect-refusal P       Ada refuses "I'm sorry, but I can't help with that." (labelled refusal)
  --defect-duplicate P     the tester repeats an earlier conversation's opening (labelled near-duplicate)
  --defect-bad-arguments P Ada calls add_memory with arguments that break its schema
                           (labelled tool-arguments-invalid)
  --defect-empty-reply P   Ada writes reasoning and no reply (retried once, then rejected as empty_reply)
  --tool-call-format F     hermes | python | mistral | plain | mixed      default mixed
  --tool-call-rate P       chance the assistant calls tools               default 0.6
  --wrong-call-rate P      share of self-play calls made wrong on purpose default 0.2
  --injected-retry-after-ms N  wait an injected 429 asks for        default one request interval (1000 without --rps)
  --lenient                accept any message order (strict rules off)
  --auth-failure           answer every request with 401
  -h, --help               show this text
`;

const ENVIRONMENT_NAMES: Readonly<Record<ProviderType, string>> = {
  mistral: 'MISTRAL_BASE_URL',
  together: 'TOGETHER_BASE_URL',
  huggingface: 'HF_BASE_URL',
  openai_compatible: 'OPENAI_COMPATIBLE_BASE_URL',
};

/**
 * The key variables a run reads, each with a dummy value: the emulator accepts any bearer token,
 * and a run needs a key that is not the template's placeholder for every provider but the local one.
 */
const KEY_LINES: Readonly<Record<ProviderType, string>> = {
  mistral: 'MISTRAL_API_KEY=emulator-dummy-key-mistral',
  together: 'TOGETHER_API_KEY=emulator-dummy-key-together',
  huggingface: 'HF_TOKEN=emulator-dummy-key-huggingface',
  openai_compatible: 'OPENAI_COMPATIBLE_API_KEY=emulator-dummy-key-local',
};

const FAULT_FLAGS: Readonly<Record<string, keyof EmulatorFaults>> = {
  'fault-429': 'rate429',
  'fault-500': 'rate500',
  'fault-503': 'rate503',
  'fault-malformed': 'rateMalformed',
  'fault-hang': 'rateHang',
  'fault-reset': 'rateReset',
  'fault-stall': 'rateStall',
  'fault-empty': 'rateEmptyReply',
  'fault-truncated': 'rateTruncated',
  'fault-tester-leak': 'rateTesterLeak',
};

const DEFECT_FLAGS: Readonly<Record<string, keyof EmulatorDefects>> = {
  'defect-no-think': 'noThink',
  'defect-refusal': 'refusal',
  'defect-duplicate': 'duplicate',
  'defect-bad-arguments': 'badArguments',
  'defect-empty-reply': 'emptyReply',
};

const NUMBER_FLAGS = [
  'port',
  'seed',
  'rps',
  'burst',
  'tpm',
  'latency-ms',
  'latency-sigma',
  'latency-first-chunk',
  'stream-chunk-chars',
  'tool-call-rate',
  'wrong-call-rate',
  'injected-retry-after-ms',
  ...Object.keys(FAULT_FLAGS),
  ...Object.keys(DEFECT_FLAGS),
];

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
  /** Where a bad flag or a busy port is reported, in one line. @default process.stderr */
  readonly writeError?: (text: string) => void;
  /** Stops the server when aborted, in addition to SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

/**
 * `npm run emulator -- ...`: runs the emulator until a signal arrives, then closes it cleanly.
 * Returns the exit code: 0 after a signal, 2 for a bad flag or a port in use (one line, no stack).
 */
export async function runEmulatorCommand(argv: string[], io: EmulatorCommandIo = {}): Promise<number> {
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  const writeError = io.writeError ?? ((text: string) => void process.stderr.write(text));
  let options: EmulatorOptions;
  try {
    const values = parseFlags(argv);
    if (values.help === true) {
      write(EMULATOR_HELP);
      return 0;
    }
    options = toEmulatorOptions(values);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    writeError(`emulator: ${error.message}\n`);
    return 2;
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    writeError(`emulator: port ${options.port} is in use; try --port 0 (any free port) or another --port\n`);
    return 2;
  }
  write(`# nightshift emulator on ${emulator.url} (seed ${options.seed ?? 1}); counters at ${emulator.url}/_emulator/counters\n`);
  write('# Paste these lines into .env as they are (dummy keys: the emulator accepts any):\n');
  for (const [provider, name] of Object.entries(ENVIRONMENT_NAMES)) {
    write(`${name}=${emulator.baseUrls[provider as ProviderType]}\n${KEY_LINES[provider as ProviderType]}\n`);
  }
  await waitForStop(io.signal);
  await emulator.close();
  write('# nightshift emulator closed\n');
  return 0;
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
  const defects: Record<string, number> = {};
  for (const [flag, key] of Object.entries(DEFECT_FLAGS)) {
    const rate = number(flag);
    if (rate !== undefined) defects[key] = rate;
  }
  const medianMs = number('latency-ms');
  const defaults: EmulatorProviderOptions = {
    requestsPerSecond: number('rps'),
    limiter: values.limiter as LimiterKind | undefined,
    burst: number('burst'),
    countRefused: values['uncounted-refusals'] === true ? false : undefined,
    tokensPerMinute: number('tpm'),
    rateLimitHeaders: headerStyle(values['rate-limit-headers']),
    latency: medianMs === undefined ? undefined : { medianMs, sigma: number('latency-sigma'), firstChunkShare: number('latency-first-chunk') },
    faults,
    defects,
    strict: values.lenient !== true,
    authFailure: values['auth-failure'] === true,
    toolCallFormat: values['tool-call-format'] as ToolCallFormat | 'mixed' | undefined,
    toolCallRate: number('tool-call-rate'),
    wrongCallRate: number('wrong-call-rate'),
    injectedRetryAfterMs: number('injected-retry-after-ms'),
    streamChunkCharacters: number('stream-chunk-chars'),
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
