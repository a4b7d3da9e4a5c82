import { startEmulator } from './src/emulator/index.ts';
const emulator = await startEmulator({ seed: 5, defaults: { faults: { rateHang: 1 } } });
const messages = [{ role: 'user' as const, content: 'Tell me something about tea.' }];
for (let i = 0; i < 3; i++) {
  const c = new AbortController();
  setTimeout(() => c.abort(), 100);
  console.log(await fetch(`${emulator.baseUrls.together}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'x', messages, stream: true }), signal: c.signal }).then(() => 'ok', (e) => String(e)));
  for (const wait of [50, 500]) {
    await new Promise((r) => setTimeout(r, wait));
    console.log('after', wait, 'open', await emulator.openConnections());
  }
}
await emulator.close();
