import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../../src/core/errors.js';
import type { ModelRequester } from '../../src/core/types.js';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { describeRefusals } from '../../src/dispatcher/refusal-reason.js';
import { eventRecorder, fail, FakeProvider, ok, refuse, settleAll, slotFor, userTurn } from './fake-provider.js';

async function conversation(requester: ModelRequester, requests: number): Promise<void> {
  for (let index = 0; index < requests; index++) await requester.complete({ role: 'assistant', messages: userTurn });
}

const TOGETHER_MODEL_NOT_FOUND = JSON.stringify({
  error: {
    message: 'Unable to access model meta-llama/Llama-3.3-70B-Instruct-Turbo-Fre. Please visit https://api.together.ai/models to view the list of supported models.',
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_available',
  },
});
const REFUSED_404 =
  '5 requests in a row refused with HTTP 404: Unable to access model meta-llama/Llama-3.3-70B-Instruct-Turbo-Fre. ' +
  'Please visit https://api.together.ai/models to view the list of supported models.';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('providers that refuse every request', () => {
  it('client-side errors without an HTTP status never count as the provider refusing', async () => {
    const together = new FakeProvider('together', () => fail('bad_request'));
    const dispatcher = new Dispatcher({ providers: [slotFor(together, 2)] });
    const results = await settleAll(Array.from({ length: 8 }, () => conversation(dispatcher.session(), 1)));
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(together.calls).toHaveLength(8);
    expect(dispatcher.providerStates()).toEqual({ together: { status: 'active' } });
  });

  it('a provider answering every call with 404 is disabled after 5 refusals in a row, with the status and the server message, and the run goes on elsewhere', async () => {
    const mistral = new FakeProvider('mistral', () => ok(800));
    const together = new FakeProvider('together', () => refuse(404, TOGETHER_MODEL_NOT_FOUND));
    const recorder = eventRecorder();
    const log = vi.fn();
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 2), slotFor(together, 2)], onEvent: recorder.onEvent, log });
    const sessions = Array.from({ length: 20 }, () => dispatcher.session());
    const results = await settleAll(sessions.map((session) => conversation(session, 3)));

    // Four conversations got a refusal before anyone could tell it was the provider's fault; the
    // fifth refusal disabled together and that request was retried on mistral.
    expect(together.calls).toHaveLength(5);
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(rejected).toHaveLength(4);
    for (const reason of rejected) expect(reason).toMatchObject({ kind: 'bad_request', status: 404 });
    expect(mistral.calls.filter((call) => call.result === 'ok')).toHaveLength(16 * 3);

    const disabled = { status: 'disabled', reason: REFUSED_404 };
    expect(dispatcher.providerStates()).toEqual({ mistral: { status: 'active' }, together: disabled });
    expect(recorder.events).toContainEqual(expect.objectContaining({ type: 'provider-state', provider: 'together', state: disabled }));
    expect(log.mock.calls.filter(([level]) => level === 'error')).toEqual([
      ['error', `provider together disabled: ${REFUSED_404}; the run continues on the others`, { provider: 'together' }],
    ]);
    const moved = sessions.filter((session) => session.switches.length > 0);
    expect(moved.length).toBeGreaterThan(0);
    for (const session of moved) {
      expect(session.switches).toEqual([expect.objectContaining({ from: 'together', to: 'mistral', reason: `disabled: ${REFUSED_404}` })]);
    }
  });

  it('refusals with a success in between never add up to disabling the provider', async () => {
    // Four refusals, one success, four refusals...: each conversation's own request was at fault.
    const mistral = new FakeProvider('mistral', (index) => (index % 5 === 4 ? ok(100) : refuse(400, '{"message":"too long"}')));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)] });
    for (let index = 0; index < 30; index++) {
      await settleAll([dispatcher.session().complete({ role: 'tester', messages: userTurn })]);
    }
    expect(mistral.calls).toHaveLength(30);
    expect(dispatcher.providerStates().mistral).toEqual({ status: 'active' });
  });

  it('the last provider refusing everything is disabled, the log says none is left, and requests fail instead of waiting', async () => {
    const page = `<html><head><title>404 Not Found</title></head><body>${'<p>nginx</p>\n'.repeat(40)}</body></html>`;
    const local = new FakeProvider('openai_compatible', () => refuse(404, page, 50));
    const log = vi.fn();
    const dispatcher = new Dispatcher({ providers: [slotFor(local, 10)], log });
    const results = await settleAll(Array.from({ length: 8 }, () => dispatcher.session().complete({ role: 'tester', messages: userTurn })));

    expect(local.calls).toHaveLength(5);
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(dispatcher.hasUsableProvider()).toBe(false);
    const state = dispatcher.providerStates().openai_compatible;
    const reason = state?.status === 'disabled' ? state.reason : '';
    expect(reason.startsWith('5 requests in a row refused with HTTP 404: <html><head><title>404 Not Found</title>')).toBe(true);
    expect(reason.endsWith('…')).toBe(true);
    expect(log).toHaveBeenCalledWith('error', `provider openai_compatible disabled: ${reason}; no provider is left`, { provider: 'openai_compatible' });
    await expect(dispatcher.session().complete({ role: 'tester', messages: userTurn })).rejects.toMatchObject({
      message: expect.stringContaining('every provider is disabled (openai_compatible: disabled: 5 requests in a row refused'),
    });
  });

  it('a lower threshold from the options applies', async () => {
    const mistral = new FakeProvider('mistral', () => refuse(422, '{"detail":[{"loc":["body","model"],"msg":"field required"}]}', 50));
    const dispatcher = new Dispatcher({ providers: [slotFor(mistral, 10)], health: { refusalThreshold: 2 } });
    await settleAll(Array.from({ length: 4 }, () => dispatcher.session().complete({ role: 'tester', messages: userTurn })));
    expect(mistral.calls).toHaveLength(2);
    expect(dispatcher.providerStates().mistral).toEqual({
      status: 'disabled',
      reason: '2 requests in a row refused with HTTP 422: field required',
    });
  });
});

describe('refusal reasons', () => {
  const refusal = (details: { status?: number; body?: string; message?: string }) =>
    new ProviderError(details.message ?? `together: HTTP ${details.status}`, {
      provider: 'together',
      kind: 'bad_request',
      status: details.status,
      body: details.body,
    });

  it('quote the message of every common error body shape', () => {
    const cases: Array<[string, string]> = [
      ['{"error":{"message":"The model `gpt-5` does not exist","type":"invalid_request_error"}}', 'The model `gpt-5` does not exist'],
      ['{"object":"error","message":"Invalid model: mistral-large-2","type":"invalid_model","code":"1500"}', 'Invalid model: mistral-large-2'],
      ['{"error":"Model meta-llama/Llama-9 does not exist"}', 'Model meta-llama/Llama-9 does not exist'],
      ['{"detail":"Not Found"}', 'Not Found'],
      ['{"detail":[{"msg":"field required"},{"msg":"value is not a valid list"}]}', 'field required; value is not a valid list'],
      ['{"error":{"code":404},"message":"route not found"}', 'route not found'],
      ['Not Found\n', 'Not Found'],
      ['{"unexpected":true}', '{"unexpected":true}'],
    ];
    for (const [body, message] of cases) {
      expect(describeRefusals(5, refusal({ status: 404, body }))).toBe(`5 requests in a row refused with HTTP 404: ${message}`);
    }
  });

  it('truncate a long message, and fall back to the status or the error message without a body', () => {
    const long = describeRefusals(5, refusal({ status: 400, body: JSON.stringify({ message: 'x'.repeat(1_000) }) }));
    expect(long).toBe(`5 requests in a row refused with HTTP 400: ${'x'.repeat(200)}…`);
    expect(describeRefusals(5, refusal({ status: 404 }))).toBe('5 requests in a row refused with HTTP 404');
    expect(describeRefusals(3, refusal({ message: 'together: bad_request: Invalid URL' }))).toBe(
      '3 requests in a row refused: together: bad_request: Invalid URL',
    );
  });
});
