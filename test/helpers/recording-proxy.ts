import http from 'node:http';
import { serveOnLoopback } from './loopback-server.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly startedAt: number;
  /** When the target's answer was fully passed on to the client. */
  answeredAt?: number;
  /** When the client hung up before any answer: its abort, as a server sees it. */
  abandonedAt?: number;
}

/**
 * A pass-through HTTP proxy on 127.0.0.1 that records what clients really put on the wire (so a
 * test can check request bodies the real SDKs built, without touching the SDKs) and whether they
 * hung up before the answer (a hang-up is passed on to the target).
 */
export async function startRecordingProxy(target: string): Promise<{ url: string; requests: RecordedRequest[]; close: () => Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const targetUrl = new URL(target);
  const server = await serveOnLoopback((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: RecordedRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: body.toString('utf8'),
        startedAt: Date.now(),
      };
      requests.push(entry);
      const forward = http.request(
        { host: targetUrl.hostname, port: targetUrl.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: targetUrl.host } },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      outgoing.on('finish', () => (entry.answeredAt = Date.now()));
      outgoing.on('close', () => {
        if (entry.answeredAt !== undefined) return;
        entry.abandonedAt = Date.now();
        forward.destroy();
      });
      forward.end(body);
    });
  });
  return { url: server.url, requests, close: () => server.close() };
}
