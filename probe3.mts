import http from 'node:http';
let closed = 0, opened = 0;
const server = http.createServer((req, res) => { req.resume(); });
server.on('connection', (s) => { opened++; s.once('close', () => closed++); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as any).port;
const c = new AbortController();
setTimeout(() => c.abort(), 100);
console.log(await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}', signal: c.signal }).then(() => 'ok', (e) => String(e)));
for (const wait of [50, 300, 1000]) {
  await new Promise((r) => setTimeout(r, wait));
  await new Promise<void>((r) => server.getConnections((e, n) => { console.log('after', wait, 'open', n, 'opened', opened, 'closed', closed); r(); }));
}
process.exit(0);
