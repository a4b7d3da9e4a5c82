import type { Random } from '../core/random.js';
import type { EmulatorFaults } from './emulator-options.js';

/** What goes wrong on the way to the client; at most one per request. */
export type TransportFault = '429' | '500' | '503' | 'malformed' | 'hang' | 'reset' | 'stall';
/** How the model misbehaves inside an otherwise good answer. */
export type ModelFault = 'emptyReply' | 'truncated' | 'testerLeak';

export interface FaultDecision {
  readonly transport: TransportFault | undefined;
  readonly model: ModelFault | undefined;
}

const NO_FAULT: FaultDecision = { transport: undefined, model: undefined };

const TRANSPORT_ORDER: readonly (readonly [TransportFault, keyof EmulatorFaults])[] = [
  ['429', 'rate429'],
  ['500', 'rate500'],
  ['503', 'rate503'],
  ['malformed', 'rateMalformed'],
  ['hang', 'rateHang'],
  ['reset', 'rateReset'],
  // Last, so adding it left the outcomes of every seed without stalls as they were.
  ['stall', 'rateStall'],
];

/**
 * Draws the faults of one request. Exactly three numbers are drawn per call, whatever the
 * configuration, so the same seed replays the same sequence of outcomes request by request.
 * Transport faults share one draw (their probabilities stack); model faults share another.
 */
export function drawFaults(random: Random, faults: EmulatorFaults | undefined, isTester: boolean): FaultDecision {
  const transportDraw = random();
  const modelDraw = random();
  const leakDraw = random();
  if (faults === undefined) return NO_FAULT;
  return {
    transport: pickTransport(transportDraw, faults),
    model: pickModel(modelDraw, leakDraw, faults, isTester),
  };
}

function pickTransport(draw: number, faults: EmulatorFaults): TransportFault | undefined {
  let threshold = 0;
  for (const [fault, key] of TRANSPORT_ORDER) {
    threshold += faults[key] ?? 0;
    if (draw < threshold) return fault;
  }
  return undefined;
}

function pickModel(
  draw: number,
  leakDraw: number,
  faults: EmulatorFaults,
  isTester: boolean,
): ModelFault | undefined {
  const empty = faults.rateEmptyReply ?? 0;
  if (draw < empty) return 'emptyReply';
  if (draw < empty + (faults.rateTruncated ?? 0)) return 'truncated';
  if (isTester && leakDraw < (faults.rateTesterLeak ?? 0)) return 'testerLeak';
  return undefined;
}

/** Cuts a JSON body in the middle so no parser accepts it. */
export function malformedBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
