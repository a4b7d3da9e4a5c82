/**
 * The entry of a provider thread: one adapter type's SDK loaded here instead of on the main thread,
 * serving every instance of that type (`open`), one message per request and one per answer. The
 * SDK's CPU (the HTTP client, reading the event stream, its schemas) is the largest share of a
 * conversation's; here it runs beside the conversations instead of in their way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChatProvider } from '../core/types.js';
import { importAdapter, type Adapter } from './load-adapters.js';
import { serializeError, type HostMessage, type ProviderThreadData, type ThreadMessage } from './provider-thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('provider-thread.ts is the entry of a worker thread; start it with startProviderThreads (threaded-adapters.ts), not directly.');
const { type } = workerData as ProviderThreadData;
const post = (message: ThreadMessage): void => port.postMessage(message);

let adapter: Adapter | undefined;
// An instance whose adapter could not be built keeps the error, to answer its requests with.
const instances = new Map<number, ChatProvider | { readonly failed: unknown }>();
const inFlight = new Map<number, AbortController>();
// Messages that arrive while the SDK loads wait for it, in order.
const waiting: HostMessage[] = [];

port.on('message', (message: HostMessage) => {
  if (adapter === undefined) waiting.push(message);
  else handle(adapter, message);
});

try {
  const loaded = await importAdapter(type);
  adapter = loaded;
  post({ kind: 'loaded' });
  for (const message of waiting.splice(0)) handle(loaded, message);
} catch (error) {
  post({ kind: 'load-failed', error: serializeError(error) });
}

function handle(loaded: Adapter, message: HostMessage): void {
  if (message.kind === 'open') {
    // A constructor that throws (an SDK refusing an empty key) fails that instance only, as in-process.
    try {
      instances.set(message.instance, new loaded(message.connection));
    } catch (error) {
      instances.set(message.instance, { failed: error });
    }
    return;
  }
  if (message.kind === 'abort') {
    inFlight.get(message.id)?.abort();
    return;
  }
  const instance = instances.get(message.instance);
  if (instance === undefined || 'failed' in instance) {
    const error = instance?.failed ?? new Error(`No instance ${message.instance} was opened in the ${type} provider thread.`);
    post({ kind: 'failed', id: message.id, error: serializeError(error) });
    return;
  }
  const controller = new AbortController();
  inFlight.set(message.id, controller);
  instance.complete({ ...message.request, signal: controller.signal }).then(
    (result) => post({ kind: 'result', id: message.id, result }),
    (error: unknown) => post({ kind: 'failed', id: message.id, error: serializeError(error) }),
  ).finally(() => inFlight.delete(message.id));
}
