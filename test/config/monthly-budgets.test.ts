import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { useSecretsWorkspace } from './secrets-workspace.js';

const KEYS = { mistral_api_key: 'm-key-123456', together_api_key: 't-key-123456' };
const PRICE = { input_per_million: 0.1, output_per_million: 0.3 };

describe('monthly budgets in secrets.json', () => {
  const { writeSecrets, load } = useSecretsWorkspace();
  const write = (content: object) => writeSecrets(JSON.stringify(content, null, 2));

  it('an overall budget and per-provider budgets are read; none set means none', () => {
    write({ ...KEYS });
    expect(load().budgets).toEqual({ overall: {}, providers: {} });
    write({
      ...KEYS,
      budgets: { monthly_tokens: 5_000_000 },
      providers: { mistral: { monthly_tokens: 1_000_000_000 }, together: { requests_per_second: 2 } },
    });
    expect(load().budgets).toEqual({ overall: { tokens: 5_000_000 }, providers: { mistral: { tokens: 1_000_000_000 } } });
  });

  it("a provider's budget is kept even when this run does not use that provider (status shows it)", () => {
    write({ ...KEYS, enabled_providers: ['mistral'], providers: { together: { monthly_tokens: 10 } } });
    expect(load().budgets.providers).toEqual({ together: { tokens: 10 } });
  });

  it('a cost budget with a price for every model of the run is accepted', () => {
    const models = ['mistral-small-latest', 'mistral-medium-latest'];
    write({ ...KEYS, enabled_providers: ['mistral'], budgets: { monthly_cost_usd: 25 }, prices: Object.fromEntries(models.map((model) => [model, PRICE])) });
    expect(load().budgets.overall).toEqual({ costUsd: 25 });
  });

  it('a cost budget without prices for the models involved is refused at start, naming them', () => {
    write({ ...KEYS, budgets: { monthly_cost_usd: 25 }, prices: { 'mistral-small-latest': PRICE } });
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(
      /budgets\.monthly_cost_usd needs a price for every model the run may use; none for mistral-medium-latest, meta-llama\/Llama-3\.3-70B-Instruct-Turbo-Free/,
    );
    write({ ...KEYS, providers: { together: { monthly_cost_usd: 25 } } });
    expect(() => load()).toThrow(/providers\.together\.monthly_cost_usd needs a price for each of its models; none for meta-llama/);
    expect(() => load()).toThrow(/Add them under "prices"/);
  });

  it('wrong values say what was expected, in words, with the line and column', () => {
    write({ ...KEYS, budgets: { monthly_tokens: 1.5, monthly_cost_usd: '25' } });
    expect(() => load()).toThrow(
      'data/secrets.json:5:23: budgets.monthly_tokens: expected a positive integer (tokens per calendar month: a whole number greater than 0), got `1.5` (number)',
    );
    expect(() => load()).toThrow('data/secrets.json:6:25: budgets.monthly_cost_usd: expected an amount in US dollars greater than 0, got a string');
    write({ ...KEYS, budgets: { monthly_token: 5 } });
    expect(() => load()).toThrow(/data\/secrets\.json:5:5: budgets: unknown key "monthly_token"; expected one of monthly_tokens, monthly_cost_usd/);
  });
});
