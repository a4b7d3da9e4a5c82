import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { postChat } from './chat-helpers.js';

const MESSAGES = [
  { role: 'system', content: 'You are Ada. Call tools with <tool_call> tags.' },
  { role: 'user', content: 'hi, can you remember that I like jazz?' },
];

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 4 });
});
afterAll(async () => {
  await emulator.close();
});

describe('the emulator tells what sampling each role was asked with', () => {
  it('keeps each distinct sampling once per role, a field not sent stays absent, and the counters endpoint echoes it', async () => {
    const ask = async (model: string, sampling: Record<string, number>) =>
      expect((await postChat(emulator, 'together', { model, messages: MESSAGES, ...sampling })).status).toBe(200);
    await ask('emulator-assistant', { temperature: 0.7, top_p: 0.9, max_tokens: 300 });
    await ask('emulator-assistant', { temperature: 0.7, top_p: 0.9, max_tokens: 300 });
    await ask('emulator-assistant', { temperature: 1.2 });
    await ask('emulator-tester', {});
    const expected = {
      assistant: [{ temperature: 0.7, top_p: 0.9, max_tokens: 300 }, { temperature: 1.2 }],
      tester: [{}],
    };
    expect(emulator.counters().together.samplingByRole).toEqual(expected);
    expect(emulator.counters().mistral.samplingByRole).toEqual({});
    const overHttp = (await (await fetch(`${emulator.url}/_emulator/counters`)).json()) as { together: { samplingByRole: unknown } };
    expect(overHttp.together.samplingByRole).toEqual(expected);
    emulator.resetCounters();
    expect(emulator.counters().together.samplingByRole).toEqual({});
  });

  it('a top_p that is not a number is refused as a bad request, as the providers do', async () => {
    const reply = await postChat(emulator, 'openai_compatible', { model: 'emulator-assistant', messages: MESSAGES, top_p: 'high' });
    expect(reply.status).toBe(400);
    expect(reply.text).toContain('top_p');
  });
});
