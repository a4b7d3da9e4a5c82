import { z } from 'zod';
import { PROVIDER_TYPES } from '../core/types.js';
import { mcpServersSchema } from './mcp-servers-schema.js';

/**
 * A number checked against a rule, with one message that says in words what was expected, for a
 * wrong type and a wrong value alike ("expected a positive integer (…), got a string").
 */
const numberWhere = (expected: string, rule: (value: number) => boolean) =>
  z
    .number({ error: (issue) => `expected ${expected}, got ${describeValue(issue.input)}` })
    .refine((value) => Number.isFinite(value) && rule(value), {
      error: (issue) => `expected ${expected}, got ${describeValue(issue.input)}`,
    });

const positiveNumber = (expected: string) => numberWhere(expected, (value) => value > 0);
const positiveInteger = (unit: string) =>
  numberWhere(`a positive integer (${unit}: a whole number greater than 0)`, (value) => Number.isInteger(value) && value > 0);
const nonNegativeInteger = (unit: string) =>
  numberWhere(`a whole number of ${unit}, 0 or more`, (value) => Number.isInteger(value) && value >= 0);

const text = (what: string) =>
  z.string({ error: (issue) => `expected ${what} (a string), got ${describeValue(issue.input)}` });

const url = (what: string) =>
  text(what).refine((value) => /^https?:\/\/[^\s]+$/.test(value), {
    error: `expected ${what} to be an http:// or https:// URL`,
  });

/** An object with exactly these keys; an unknown key is named with the list of known ones, read from the shape. */
const strictObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => {
  const known = Object.keys(shape);
  return z.strictObject(shape, { error: (issue) => unknownKeyMessage(issue, known) });
};

const monthlyTokens = positiveInteger('tokens per calendar month').optional();
const monthlyCost = positiveNumber('an amount in US dollars greater than 0').optional();

/** Model per role; the roles are the selected pipeline's, checked against it once it is known (role-models.ts). */
const roleModels = z.record(z.string(), text('a model name').min(1, { error: 'expected a model name, got an empty string' }), {
  error: (issue) => `expected an object of model names keyed by role, got ${describeValue(issue.input)}`,
});

const providerType = z.enum(PROVIDER_TYPES, {
  error: (issue) => `expected a provider type, one of ${PROVIDER_TYPES.join(', ')}; got ${describeValue(issue.input)}`,
});

/**
 * `providers.<name>`: an instance of a provider type. An entry named after a type (`together`)
 * tunes the classic instance of it and needs no `type`; any other name is an instance of its own.
 */
export const providerOverridesSchema = strictObject({
  base_url: url('base_url').optional(),
  requests_per_second: positiveNumber('a number of requests per second greater than 0').optional(),
  tokens_per_minute: positiveInteger('tokens per minute').optional(),
  max_concurrency: positiveInteger('requests in flight at once').optional(),
  timeout_ms: positiveInteger('milliseconds').optional(),
  pacing_margin_ms: nonNegativeInteger('milliseconds').optional(),
  monthly_tokens: monthlyTokens,
  monthly_cost_usd: monthlyCost,
  models: roleModels.optional(),
  type: providerType.optional(),
  api_key: text('the API key').optional(),
});

const pricePerMillion = numberWhere('a price per million tokens, 0 or more', (value) => value >= 0);
const price = strictObject({ input_per_million: pricePerMillion, output_per_million: pricePerMillion });

const budgets = strictObject({ monthly_tokens: monthlyTokens, monthly_cost_usd: monthlyCost });

/**
 * `sampling.<role>`: the ranges the provider types accept (OpenAI's and TGI's temperature tops out
 * at 2; Mistral's at 1.5, checked against the enabled instances in role-sampling.ts; a top_p of 0
 * would leave no token to draw). Roles are the selected pipeline's, checked once it is known.
 */
export const roleSamplingSchema = strictObject({
  temperature: numberWhere('a temperature from 0 to 2', (value) => value >= 0 && value <= 2).optional(),
  top_p: numberWhere('a top_p greater than 0 and at most 1', (value) => value > 0 && value <= 1).optional(),
  max_tokens: positiveInteger('tokens per reply').optional(),
});

const sampling = z.record(z.string(), roleSamplingSchema, {
  error: (issue) => `expected an object of sampling settings keyed by role, e.g. {"tester": {"temperature": 1.0}}, got ${describeValue(issue.input)}`,
});

/**
 * `data/secrets.json`: the four keys existing users already have, plus optional additions.
 * Unknown top-level keys are tolerated (reported as warnings) so older files keep working.
 */
export const secretsSchema = z.looseObject({
  mistral_api_key: text('the Mistral API key').optional(),
  together_api_key: text('the Together API key').optional(),
  huggingface_api_key: text('the Hugging Face token').optional(),
  enabled_providers: z
    .array(text('a provider name'), {
      error: (issue) => `expected a list of provider names such as ["mistral", "together"], got ${describeValue(issue.input)}`,
    })
    .optional(),
  openai_compatible: strictObject({ base_url: url('base_url').optional(), api_key: text('the API key').optional() }).optional(),
  providers: z
    .record(z.string(), providerOverridesSchema, {
      error: (issue) => `expected an object keyed by provider instance name, got ${describeValue(issue.input)}`,
    })
    .optional(),
  prices: z
    .record(z.string(), price, {
      error: (issue) => `expected an object keyed by model name, got ${describeValue(issue.input)}`,
    })
    .optional(),
  budgets: budgets.optional(),
  sampling: sampling.optional(),
  mcpServers: mcpServersSchema.optional(),
});

export type SecretsFile = z.infer<typeof secretsSchema>;
export type ProviderOverrides = z.infer<typeof providerOverridesSchema>;
export type ConfiguredSampling = z.infer<typeof roleSamplingSchema>;

export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(Object.keys(secretsSchema.shape));

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
