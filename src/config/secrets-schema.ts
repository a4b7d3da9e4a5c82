import { z } from 'zod';
import { MODEL_ROLES, PROVIDER_NAMES } from '../core/types.js';

const positiveNumber = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` })
    .refine((value) => Number.isFinite(value) && value > 0, {
      error: (issue) => `expected ${what} greater than 0, got ${describeValue(issue.input)}`,
    });

const positiveInteger = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` })
    .refine((value) => Number.isInteger(value) && value > 0, {
      error: (issue) => `expected ${what} (a whole number greater than 0), got ${describeValue(issue.input)}`,
    });

const nonNegativeInteger = (what: string) =>
  z
    .number({ error: (issue) => `expected ${what}, got ${describeValue(issue.input)}` })
    .refine((value) => Number.isInteger(value) && value >= 0, {
      error: (issue) => `expected ${what} (a whole number, 0 or more), got ${describeValue(issue.input)}`,
    });

const text = (what: string) =>
  z.string({ error: (issue) => `expected ${what} (a string), got ${describeValue(issue.input)}` });

const url = (what: string) =>
  text(what).refine((value) => /^https?:\/\/[^\s]+$/.test(value), {
    error: `expected ${what} to be an http:// or https:// URL`,
  });

const roleModels = z.strictObject(
  Object.fromEntries(MODEL_ROLES.map((role) => [role, text(`the ${role} model name`).min(1).optional()])) as Record<
    (typeof MODEL_ROLES)[number],
    z.ZodOptional<z.ZodString>
  >,
  { error: (issue) => unknownKeyMessage(issue, MODEL_ROLES) },
);

export const providerOverridesSchema = z.strictObject(
  {
    base_url: url('base_url').optional(),
    requests_per_second: positiveNumber('requests_per_second, a number of requests per second').optional(),
    tokens_per_minute: positiveInteger('tokens_per_minute').optional(),
    max_concurrency: positiveInteger('max_concurrency').optional(),
    timeout_ms: positiveInteger('timeout_ms, milliseconds').optional(),
    pacing_margin_ms: nonNegativeInteger('pacing_margin_ms, milliseconds').optional(),
    models: roleModels.optional(),
  },
  {
    error: (issue) =>
      unknownKeyMessage(issue, [
        'base_url',
        'requests_per_second',
        'tokens_per_minute',
        'max_concurrency',
        'timeout_ms',
        'pacing_margin_ms',
        'models',
      ]),
  },
);

const price = z.strictObject({
  input_per_million: z.number().nonnegative({ error: 'expected a price of 0 or more' }),
  output_per_million: z.number().nonnegative({ error: 'expected a price of 0 or more' }),
});

/**
 * `data/secrets.json`: the four keys existing users already have, plus optional additions.
 * Unknown top-level keys are tolerated (reported as warnings) so older files keep working.
 */
export const secretsSchema = z.looseObject({
  mistral_api_key: text('mistral_api_key').optional(),
  together_api_key: text('together_api_key').optional(),
  huggingface_api_key: text('huggingface_api_key').optional(),
  enabled_providers: z
    .array(text('a provider name'), {
      error: (issue) => `expected a list of provider names such as ["mistral", "together"], got ${describeValue(issue.input)}`,
    })
    .optional(),
  openai_compatible: z
    .strictObject({ base_url: url('base_url').optional(), api_key: text('api_key').optional() })
    .optional(),
  providers: z
    .record(z.string(), providerOverridesSchema, {
      error: (issue) => `expected an object keyed by provider name, got ${describeValue(issue.input)}`,
    })
    .optional(),
  prices: z.record(z.string(), price).optional(),
});

export type SecretsFile = z.infer<typeof secretsSchema>;
export type ProviderOverrides = z.infer<typeof providerOverridesSchema>;

export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(Object.keys(secretsSchema.shape));
export const KNOWN_PROVIDERS: ReadonlySet<string> = new Set(PROVIDER_NAMES);

function unknownKeyMessage(issue: { code?: string; keys?: string[]; input?: unknown }, known: readonly string[]) {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}; expected one of ${known.join(', ')}`;
  }
  return `expected an object with keys ${known.join(', ')}, got ${describeValue(issue.input)}`;
}

/** Names a value's type without echoing strings (a misplaced value could be a key). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return `\`${value}\` (number)`;
  if (typeof value === 'boolean') return `\`${value}\` (boolean)`;
  return `a ${typeof value}`;
}
