import { startEmulator } from './src/emulator/index.ts';
import { createProvider } from './src/providers/create-provider.ts';
const fault = process.argv[2] === 'stall' ? { rateStall: 1 } : { rateHang: 1 };
const emulator = await startEmulator({ seed: 5, defaults: { faults: fault, latency: { medianMs: 40, sigma: 0 }, streamChunkCharacters: 8 } });
const messages = [{ role: 'user' as const, content: 'Tell me something about tea.' }];
// raw fetch
const rawController = new AbortController();
setTimeout(() => rawController.abort(), 150);
const raw = await fetch(`${emulator.baseUrls.together}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', messages, stream: true }), signal: rawController.signal }).then(async (r) => { try { await r.text(); } catch (e) { return String(e); } return 'read'; }, (e) => String(e));
await new Promise((r) => setTimeout(r, 200));
console.log('raw', raw, 'open', await emulator.openConnections());
for (const name of ['together', 'huggingface', 'mistral', 'openai_compatible'] as const) {
  const provider = createProvider(name, { apiKey: 'k-000000', baseUrl: emulator.baseUrls[name] });
  const results = await Promise.all(Array.from({ length: 5 }, () => provider.complete({ model: 'emulator-tester', messages, timeoutMs: 5000, firstByteTimeoutMs: 150, idleTimeoutMs: 80 }).then(() => 'ok', (e) => e.message)));
  await new Promise((r) => setTimeout(r, 300));
  console.log(name, results[0], 'arrived', emulator.counters()[name].requests, 'open', await emulator.openConnections());
}
await emulator.close();
