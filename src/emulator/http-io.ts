import type { IncomingMessage, ServerResponse } from 'node:http';

/** Requests larger than this are refused; nightshift's conversations are far smaller. */
export const MAXIMUM_BODY_BYTES = 16 * 1024 * 1024;

const BEARER = /^Bearer\s+\S/i;

/** Whether the request carries `Authorization: Bearer <something>`. The key itself is never kept. */
export function hasBearerToken(request: IncomingMessage): boolean {
  const header = request.headers.authorization;
  return header !== undefined && BEARER.test(header);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers?: Readonly<Record<string, string>>,
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

/** Reads the whole body as UTF-8; `undefined` when it is larger than the limit or the client left. */
export function readBody(request: IncomingMessage, onBody: (text: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const finish = (text: string | undefined): void => {
    if (done) return;
    done = true;
    onBody(text);
  };
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAXIMUM_BODY_BYTES) {
      finish(undefined);
      return;
    }
    if (!done) chunks.push(chunk);
  });
  request.once('end', () => finish(Buffer.concat(chunks).toString('utf8')));
  request.once('error', () => {
    done = true;
  });
}
