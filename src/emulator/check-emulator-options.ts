import { PROVIDER_TYPES } from '../core/types.js';
import { ASSISTANT_DEFECTS, DEFECT_KINDS } from './defects.js';
import type { EmulatorOptions, EmulatorProviderOptions, ToolCallFormat } from './emulator-options.js';
import { LIMITER_KINDS, slidingWindowOf } from './rate-limiter.js';
import { RATE_LIMIT_HEADER_STYLES } from './rate-limit-response-headers.js';

const FORMATS: ReadonlySet<string> = new Set<ToolCallFormat | 'mixed'>(['hermes', 'python', 'mistral', 'plain', 'mixed']);
const LIMITERS: ReadonlySet<string> = new Set(LIMITER_KINDS);

function describe(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

function checkNumber(name: string, value: unknown, minimum: number, maximum: number, inclusiveMinimum = true): void {
  if (value === undefined) return;
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (inclusiveMinimum ? value >= minimum : value > minimum) &&
    value <= maximum;
  if (!valid) {
    const lower = `${inclusiveMinimum ? '>=' : '>'} ${minimum}`;
    const range = maximum === Number.POSITIVE_INFINITY ? lower : `${lower} and <= ${maximum}`;
    throw new RangeError(`Expected \`${name}\` to be a finite number ${range}, got ${describe(value)}`);
  }
}

/** Throws a RangeError naming the first option that is out of range, as p-queue does. */
export function checkProviderOptions(options: EmulatorProviderOptions, where = 'options'): void {
  checkNumber(`${where}.requestsPerSecond`, options.requestsPerSecond, 0, Number.POSITIVE_INFINITY, false);
  checkNumber(`${where}.burst`, options.burst, 1, Number.POSITIVE_INFINITY);
  checkNumber(`${where}.tokensPerMinute`, options.tokensPerMinute, 1, Number.POSITIVE_INFINITY);
  if (options.limiter !== undefined && !LIMITERS.has(options.limiter)) {
    throw new RangeError(`Expected \`${where}.limiter\` to be one of ${[...LIMITERS].join(', ')}, got ${describe(options.limiter)}`);
  }
  if (options.limiter === 'sliding-window' && options.requestsPerSecond !== undefined) {
    try {
      slidingWindowOf(options.requestsPerSecond);
    } catch (error) {
      throw new RangeError(`${(error as Error).message} (\`${where}.requestsPerSecond\`)`);
    }
  }
  const headers = options.rateLimitHeaders;
  if (headers !== undefined && typeof headers !== 'boolean' && !(RATE_LIMIT_HEADER_STYLES as readonly string[]).includes(headers)) {
    throw new RangeError(
      `Expected \`${where}.rateLimitHeaders\` to be true, false or one of ${RATE_LIMIT_HEADER_STYLES.join(', ')}, got ${describe(headers)}`,
    );
  }
  checkNumber(`${where}.toolCallRate`, options.toolCallRate, 0, 1);
  checkNumber(`${where}.wrongCallRate`, options.wrongCallRate, 0, 1);
  checkNumber(`${where}.injectedRetryAfterMs`, options.injectedRetryAfterMs, 1, 3_600_000);
  checkNumber(`${where}.streamChunkCharacters`, options.streamChunkCharacters, 1, 1_000_000);
  if (options.latency !== undefined) {
    checkNumber(`${where}.latency.medianMs`, options.latency.medianMs, 0, 600_000);
    checkNumber(`${where}.latency.sigma`, options.latency.sigma, 0, 5);
    checkNumber(`${where}.latency.firstChunkShare`, options.latency.firstChunkShare, 0, 1);
  }
  for (const [name, rate] of Object.entries(options.faults ?? {})) {
    checkNumber(`${where}.faults.${name}`, rate, 0, 1);
  }
  for (const [name, rate] of Object.entries(options.defects ?? {})) {
    if (!(DEFECT_KINDS as readonly string[]).includes(name)) {
      throw new RangeError(`Expected \`${where}.defects\` keys among ${DEFECT_KINDS.join(', ')}, got \`${name}\``);
    }
    checkNumber(`${where}.defects.${name}`, rate, 0, 1);
  }
  const assistantShare = ASSISTANT_DEFECTS.reduce((sum, name) => sum + (options.defects?.[name] ?? 0), 0);
  if (assistantShare > 1) throw new RangeError(`Expected the assistant's defect rates (\`${where}.defects\`) to add up to at most 1, got ${assistantShare}`);
  if (options.toolCallFormat !== undefined && !FORMATS.has(options.toolCallFormat)) {
    throw new RangeError(
      `Expected \`${where}.toolCallFormat\` to be one of ${[...FORMATS].join(', ')}, got ${describe(options.toolCallFormat)}`,
    );
  }
}

export function checkEmulatorOptions(options: EmulatorOptions): void {
  checkNumber('seed', options.seed, 0, 0xffffffff);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new RangeError(`Expected \`port\` to be an integer from 0 to 65535, got ${describe(options.port)}`);
  }
  if (options.defaults !== undefined) checkProviderOptions(options.defaults, 'defaults');
  for (const [provider, providerOptions] of Object.entries(options.providers ?? {})) {
    if (!(PROVIDER_TYPES as readonly string[]).includes(provider)) {
      throw new RangeError(`Expected \`providers\` keys among ${PROVIDER_TYPES.join(', ')}, got \`${provider}\``);
    }
    if (providerOptions !== undefined) checkProviderOptions(providerOptions, `providers.${provider}`);
  }
}
