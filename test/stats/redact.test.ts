import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/core/redact.js';

describe('createRedactor', () => {
  it('replaces every occurrence of a listed secret, longest first', () => {
    const redact = createRedactor(['abc123SECRETxyz', 'abc123SECRET']);
    expect(redact('key abc123SECRETxyz and again abc123SECRETxyz, prefix abc123SECRET')).toBe(
      `key ${REDACTED} and again ${REDACTED}, prefix ${REDACTED}`,
    );
  });

  it('ignores listed secrets of six characters or fewer so ordinary words survive', () => {
    const redact = createRedactor(['hello', 'abcdef', '']);
    expect(redact('hello abcdef')).toBe('hello abcdef');
  });

  it('redacts a secret containing a quote in its JSON-escaped form, keeping the line valid JSON', () => {
    const secret = 'pa"ss\\word-123';
    const redact = createRedactor([secret]);
    const line = JSON.stringify({ msg: `failed with ${secret}` });
    const redacted = redact(line);
    expect(JSON.parse(redacted)).toEqual({ msg: `failed with ${REDACTED}` });
  });

  it('redacts Bearer tokens and Authorization or API-key headers in prose and in JSON', () => {
    const redact = createRedactor([]);
    expect(redact('401: header Authorization: Bearer tok.en-123_abc was rejected')).toBe(
      `401: header Authorization: ${REDACTED} was rejected`,
    );
    expect(redact('sent Bearer eyJhbGciOi.J9xyz')).toBe(`sent Bearer ${REDACTED}`);
    expect(redact('authorization: Basic dXNlcjpwYXNz')).toBe(`authorization: ${REDACTED}`);
    expect(redact('{"headers":{"x-api-key":"k-999999","Authorization":"Bearer zzz"}}')).toBe(
      `{"headers":{"x-api-key":"${REDACTED}","Authorization":"${REDACTED}"}}`,
    );
  });

  it('redacts credential query parameters in URLs but keeps the rest of the URL', () => {
    const redact = createRedactor([]);
    expect(redact('GET https://api.example.com/v1/models?api_key=AAA111&limit=5')).toBe(
      `GET https://api.example.com/v1/models?api_key=${REDACTED}&limit=5`,
    );
    expect(redact('https://x.test/a?limit=5&key=BBB222#frag')).toBe(`https://x.test/a?limit=5&key=${REDACTED}#frag`);
    expect(redact('"url":"https://x.test/a?token=CCC333"')).toBe(`"url":"https://x.test/a?token=${REDACTED}"`);
  });

  it('redacts Hugging Face and sk- tokens, credential JSON fields and environment assignments', () => {
    const redact = createRedactor([]);
    expect(redact('token hf_AbCdEfGhIjKlMnOpQrStUv used')).toBe(`token ${REDACTED} used`);
    expect(redact('sk-proj-0123456789abcdefghijkl')).toBe(REDACTED);
    expect(redact('{"apiKey":"zzzzz","api_key":"yyyy","password":"p\\"w"}')).toBe(
      `{"apiKey":"${REDACTED}","api_key":"${REDACTED}","password":"${REDACTED}"}`,
    );
    expect(redact('MISTRAL_API_KEY=abcdef0123 HF_TOKEN=hf-something')).toBe(
      `MISTRAL_API_KEY=${REDACTED} HF_TOKEN=${REDACTED}`,
    );
  });

  it('leaves ordinary log text alone', () => {
    const redact = createRedactor(['sk-live-0123456789']);
    const text =
      '{"msg":"request-end","inputTokens":300,"max_tokens=512":true,"text":"the key idea: tokens matter","url":"https://x.test/v1/chat/completions?stream=false"}';
    expect(redact(text)).toBe(text);
  });
});
