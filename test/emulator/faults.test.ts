import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { drawFaults } from '../../src/emulator/faults.js';
import { createRandom } from '../../src/core/random.js';
import { conversation, postChat, replyContent } from './chat-helpers.js';

const BODY = { model: 'fault-assistant', messages: conversation('I just bought a French press. What ratio should I use?') };

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Sends requests one after another and names each outcome. */
async function outcomes(options: EmulatorOptions, count: number): Promise<string[]> {
  const running = await startEmulator(options);
  try {
    const names: string[] = [];
    for (let index = 0; index < count; index++) {
      try {
        const reply = await postChat(running, 'together', BODY);
        let parses = true;
        try {
          JSON.parse(reply.text);
        } catch {
          parses = false;
        }
        names.push(parses ? String(reply.status) : `${reply.status}-malformed`);
      } catch {
        names.push('reset');
      }
    }
    return names;
  } finally {
    await running.close();
  }
}

describe('faults', () => {
  const faulty: EmulatorOptions = {
    defaults: { faults: { rate429: 0.1, rate500: 0.15, rate503: 0.1, rateMalformed: 0.1, rateReset: 0.1 } },
  };

  it('the same seed replays the same sequence of outcomes; another seed does not', async () => {
    const first = await outcomes({ ...faulty, seed: 5 }, 40);
    const again = await outcomes({ ...faulty, seed: 5 }, 40);
    const other = await outcomes({ ...faulty, seed: 6 }, 40);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '429', '500', '503', '200-malformed', 'reset']));
  });

  it('fault rates are honoured over many draws and the draws do not depend on the settings', () => {
    const random = createRandom(9);
    let failures = 0;
    for (let index = 0; index < 10_000; index++) {
      if (drawFaults(random, { rate500: 0.2, rate503: 0.1 }, false).transport !== undefined) failures++;
    }
    expect(failures / 10_000).toBeCloseTo(0.3, 1);
    const withFaults = createRandom(4);
    const without = createRandom(4);
    drawFaults(withFaults, { rate500: 1 }, true);
    drawFaults(without, undefined, true);
    expect(withFaults()).toBe(without());
  });

  it('a hung request holds until the client aborts, and is counted', async () => {
    emulator = await startEmulator({ providers: { mistral: { faults: { rateHang: 1 } } } });
    const controller = new AbortController();
    const startedAt = performance.now();
    setTimeout(() => controller.abort(), 150);
    await expect(postChat(emulator, 'mistral', BODY, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    expect(emulator.counters().mistral.injected.hang).toBe(1);
    expect(emulator.counters().mistral.ok).toBe(0);
  });

  it('close() ends hung requests instead of waiting for them', async () => {
    const running = await startEmulator({ defaults: { faults: { rateHang: 1 } } });
    const hung = postChat(running, 'huggingface', BODY).then(
      () => 'answered',
      () => 'ended',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = performance.now();
    await running.close();
    expect(performance.now() - startedAt).toBeLessThan(500);
    expect(await hung).toBe('ended');
  });

  it('a reset destroys the socket without any response', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateReset: 1 } } });
    const error = await postChat(emulator, 'openai_compatible', BODY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).cause)).toMatch(/socket|closed|reset/i);
    expect(emulator.counters().openai_compatible.injected.reset).toBe(1);
  });

  it('a malformed answer is 200 application/json with a body no JSON parser accepts', async () => {
    emulator = await startEmulator({ defaults: { faults: { rateMalformed: 1 } } });
    const reply = await postChat(emulator, 'mistral', BODY);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(reply.text)).toThrow(SyntaxError);
    expect(emulator.counters().mistral.injected.malformed).toBe(1);
  });

  it('latency delays answers by a seeded log-normal amount', async () => {
    emulator = await startEmulator({ defaults: { latency: { medianMs: 60, sigma: 0.1 } } });
    const startedAt = performance.now();
    await postChat(emulator, 'together', BODY);
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThan(35);
    expect(elapsed).toBeLessThan(400);
  });

  it('model misbehaviour: an empty reply, a truncated reply and a leaking tester', async () => {
    emulator = await startEmulator({
      providers: {
        mistral: { faults: { rateEmptyReply: 1 } },
        together: { faults: { rateTruncated: 1 } },
        huggingface: { faults: { rateTesterLeak: 1 } },
      },
    });
    const empty = JSON.parse((await postChat(emulator, 'mistral', BODY)).text);
    expect(empty.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'stop' });
    const full = replyContent(await postChat(emulator, 'openai_compatible', BODY));
    const truncated = JSON.parse((await postChat(emulator, 'together', BODY)).text);
    expect(truncated.choices[0].finish_reason).toBe('length');
    expect(full.startsWith(truncated.choices[0].message.content)).toBe(true);
    expect(truncated.choices[0].message.content.length).toBeLessThan(full.length);
    const leaked = replyContent(await postChat(emulator, 'huggingface', { model: 'leaky-tester', messages: BODY.messages }));
    expect(leaked).toMatch(/^(<think>[\s\S]*<\/think>\n|User: )/);
    const notTester = replyContent(await postChat(emulator, 'huggingface', BODY));
    expect(notTester).not.toMatch(/^User: /);
    const counters = emulator.counters();
    expect(counters.mistral.injected.emptyReply).toBe(1);
    expect(counters.together.injected.truncated).toBe(1);
    expect(counters.huggingface.injected.testerLeak).toBe(1);
  });
});
