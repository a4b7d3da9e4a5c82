import type { ServerResponse } from 'node:http';
import { malformedBody } from './faults.js';
import type { PendingResponses } from './pending-responses.js';
import type { EventStream } from './stream-chunks.js';

/** What every provider answers a streaming request with. */
const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** How a stream goes: to its end, silent after a few chunks (a stall), or with a chunk cut mid-JSON. */
export type StreamEnding = 'complete' | 'stall' | 'malformed';

export interface StreamTiming {
  /** The answer's whole latency: the last event goes out this long after the request. */
  readonly totalMs: number;
  /** Share of it before the first event (time to first token); the rest is spread evenly between events. */
  readonly firstChunkShare: number;
}

/** When each group of events goes out, in ms from now: the first after the first-chunk share, the last at the total. */
function groupOffsets(groupCount: number, timing: StreamTiming): number[] {
  const first = timing.totalMs * timing.firstChunkShare;
  const gap = groupCount > 1 ? (timing.totalMs - first) / (groupCount - 1) : 0;
  const offsets: number[] = [];
  for (let index = 0; index < groupCount; index++) offsets.push(first + index * gap);
  return offsets;
}

/**
 * The writes of one stream as its ending wants them. A stall sends the first half of the groups
 * (at least one) and never the closing events; a malformed stream sends the first group and then
 * the next event (the second group's, or the closing one's) cut mid-JSON. Both hold whatever the
 * chunk size: with the whole text in one group, the cut still falls before the closing events.
 */
function writesFor(stream: EventStream, ending: StreamEnding): string[] {
  const { groups, closing } = stream;
  if (ending === 'complete') return groups.map((group, index) => (index === groups.length - 1 ? group + closing : group));
  if (ending === 'stall') return groups.slice(0, Math.max(1, Math.ceil(groups.length / 2)));
  const next = groups[1] ?? closing;
  return [groups[0] as string, `${malformedBody(next.split('\n\n')[0] as string)}\n\n`];
}

/**
 * Sends the events of one reply on their schedule, headers with the first write (as the real APIs
 * do: nothing arrives before the first token). A stall then holds the socket silent until the client
 * gives up or the emulator closes; a malformed stream ends right after its broken event.
 */
export function sendEventStream(
  response: ServerResponse,
  pending: PendingResponses,
  stream: EventStream,
  timing: StreamTiming,
  ending: StreamEnding,
  onComplete: () => void,
): void {
  const writes = writesFor(stream, ending);
  const offsets = groupOffsets(Math.max(stream.groups.length, writes.length), timing);
  const last = writes.length - 1;
  pending.sequence(response, offsets.slice(0, writes.length), (index) => {
    if (index === 0) response.writeHead(200, EVENT_STREAM_HEADERS);
    response.write(writes[index]);
    if (index < last) return;
    if (ending === 'stall') {
      pending.hang(response);
      return;
    }
    response.end();
    if (ending === 'complete') onComplete();
  });
}
