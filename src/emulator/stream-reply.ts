import type { ServerResponse } from 'node:http';
import { malformedBody } from './faults.js';
import type { PendingResponses } from './pending-responses.js';

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
 * Sends the event groups of one reply on their schedule, headers with the first (as the real APIs
 * do: nothing arrives before the first token). A stall sends the first half of the groups, never
 * the last, and then holds the socket silent until the client gives up or the emulator closes.
 */
export function sendEventStream(
  response: ServerResponse,
  pending: PendingResponses,
  groups: readonly string[],
  timing: StreamTiming,
  ending: StreamEnding,
  onComplete: () => void,
): void {
  const offsets = groupOffsets(groups.length, timing);
  let sent = groups;
  if (ending === 'stall') sent = groups.slice(0, Math.max(1, Math.ceil(groups.length / 2)));
  if (ending === 'malformed') sent = [groups[0] as string, `${malformedBody((groups[1] ?? groups[0] as string).split('\n\n')[0] as string)}\n\n`];
  const last = sent.length - 1;
  pending.sequence(response, offsets.slice(0, sent.length), (index) => {
    if (index === 0) response.writeHead(200, EVENT_STREAM_HEADERS);
    response.write(sent[index]);
    if (index < last) return;
    if (ending === 'stall') {
      pending.hang(response);
      return;
    }
    response.end();
    if (ending === 'complete') onComplete();
  });
}
