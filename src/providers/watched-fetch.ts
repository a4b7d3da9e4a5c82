/** The fetch signature every SDK accepts (the Mistral SDK passes a Request, the others a URL and init). */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch for one request, and the means to let go of the bodies it handed out. */
export interface WatchedFetch {
  readonly fetch: Fetch;
  /** Cancels every body not read to its end, so no socket stays open for a reply nobody reads. */
  releaseBodies(): void;
}

/** Statuses whose responses carry no body; the Response constructor refuses one for them. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps `fetch` for one request: hands each response to `observe` as soon as its headers arrive
 * (before the SDK decides whether it is an error, so a 429's headers are kept), and reports every
 * piece of the body to `received` as it comes off the socket, which is what the silence limits watch.
 *
 * A Request object (the Mistral SDK passes one) is sent with `signal` itself: the signal a Request
 * carries only follows the one it was built with through a weak reference, so once the garbage
 * collector takes the SDK's intermediate Request the abort never reaches the socket (the stream
 * then stalls forever, holding its socket).
 */
export function watchFetch(
  observe: (response: Response) => void,
  received: () => void,
  signal: AbortSignal,
  base: Fetch = fetch,
): WatchedFetch {
  const readers: { reader: ReadableStreamDefaultReader<Uint8Array>; done: boolean }[] = [];
  return {
    fetch: async (input, init) => {
      const response = await (input instanceof Request ? base(input.url, await requestParts(input, init, signal)) : base(input, init));
      observe(response);
      const body = response.body;
      if (body === null || NULL_BODY_STATUSES.has(response.status)) return response;
      const entry = { reader: body.getReader(), done: false };
      readers.push(entry);
      return withBody(response, watchedBody(entry, received));
    },
    releaseBodies: () => {
      for (const entry of readers) {
        if (!entry.done) entry.reader.cancel().catch(() => undefined);
        entry.done = true;
      }
    },
  };
}

/**
 * The same bytes, pulled only when the SDK reads (high-water mark 0), so a piece counts as
 * received when it really arrives and nothing is buffered ahead of the reader.
 */
function watchedBody(entry: { reader: ReadableStreamDefaultReader<Uint8Array>; done: boolean }, received: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await entry.reader.read();
        if (done) {
          entry.done = true;
          controller.close();
          return;
        }
        received();
        controller.enqueue(value);
      },
      cancel(reason) {
        entry.done = true;
        return entry.reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A Request taken apart into what fetch needs, with its body read into memory (it is one JSON
 * string): `fetch(request, init)` would build a second Request whose body is piped through a
 * TransformStream of its own, three more streams and a pipe per request for the same bytes.
 */
async function requestParts(request: Request, init: RequestInit | undefined, signal: AbortSignal): Promise<RequestInit> {
  const body = request.body === null ? null : await request.arrayBuffer();
  return { method: request.method, headers: request.headers, body, redirect: request.redirect, ...init, signal };
}

function withBody(response: Response, body: ReadableStream<Uint8Array>): Response {
  const copy = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // Only SDK debug logs read it, but a copy should not claim to come from nowhere.
  Object.defineProperty(copy, 'url', { value: response.url });
  return copy;
}
