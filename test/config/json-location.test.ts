import { describe, expect, it } from 'vitest';
import { locateJsonPath } from '../../src/config/json-location.js';

const TEXT = `{
  "mistral_api_key": "m-key",
  "enabled_providers": ["mistral", "together"],
  "providers": {
    "together": { "requests_per_second": 1 },
    "mistral": {
      "models": { "tester": "a \\"quoted\\" name, with {braces}" },
      "max_concurrency": "32"
    }
  }
}
`;

describe('finding a key path in JSON text', () => {
  it('points at the value of a nested key, past siblings holding strings with quotes and braces', () => {
    expect(locateJsonPath(TEXT, ['providers', 'mistral', 'max_concurrency'])).toEqual({ line: 8, column: 26 });
    expect(locateJsonPath(TEXT, ['providers', 'together', 'requests_per_second'])).toEqual({ line: 5, column: 42 });
  });

  it('points at an element of a list by its index', () => {
    expect(locateJsonPath(TEXT, ['enabled_providers', 1])).toEqual({ line: 3, column: 36 });
  });

  it('points at the key itself when asked (an unknown key)', () => {
    expect(locateJsonPath(TEXT, ['providers', 'mistral', 'models'], true)).toEqual({ line: 7, column: 7 });
  });

  it('says nothing for a path the text does not hold', () => {
    expect(locateJsonPath(TEXT, ['providers', 'huggingface', 'max_concurrency'])).toBeUndefined();
    expect(locateJsonPath(TEXT, ['mistral_api_key', 'nested'])).toBeUndefined();
  });

  it('the empty path is the whole document', () => {
    expect(locateJsonPath('  []', [])).toEqual({ line: 1, column: 3 });
  });
});
