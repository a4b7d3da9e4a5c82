import { PROVIDER_TYPES, type ProviderType } from '../core/types.js';
import {
  INJECTED_KINDS,
  type EmulatorCounters,
  type EmulatorProviderCounters,
  type InjectedKind,
  type ReceivedSampling,
} from './emulator-options.js';
import { SCRIPTED_ROLES } from './script-context.js';
import { DEFECT_KINDS, type DefectKind } from './defects.js';

const ARRIVALS_KEPT = 2000;
const BAD_REQUEST_MESSAGES_KEPT = 5;
/** A run uses one sampling per role; more than a few distinct ones is already the answer to any test. */
const SAMPLINGS_KEPT_PER_ROLE = 8;

/** One provider's tallies, mutable inside the emulator; `snapshot` hands out a frozen copy. */
export class ProviderTally {
  requests = 0;
  ok = 0;
  streamed = 0;
  rateLimited = 0;
  tokenLimited = 0;
  badRequests = 0;
  authFailures = 0;
  inputTokens = 0;
  outputTokens = 0;
  readonly injected = zeroRecord(INJECTED_KINDS);
  readonly defects = zeroRecord(DEFECT_KINDS);
  /** Ada's roles from zero; another pipeline's appear once requested. */
  readonly byRole: Record<string, number> = zeroRecord(SCRIPTED_ROLES);
  readonly #badRequestMessages: string[] = [];
  /** Role -> (key of a distinct sampling -> that sampling). */
  readonly #samplingByRole = new Map<string, Map<string, ReceivedSampling>>();
  // A ring buffer: pacing checks read thousands of arrivals, so no per-request array shifting.
  readonly #arrivals = new Float64Array(ARRIVALS_KEPT);
  #arrivalCount = 0;

  arrive(at: number): void {
    this.requests++;
    this.#arrivals[this.#arrivalCount % ARRIVALS_KEPT] = at;
    this.#arrivalCount++;
  }

  inject(kind: InjectedKind): void {
    this.injected[kind]++;
  }

  defect(kind: DefectKind): void {
    this.defects[kind]++;
  }

  countRole(role: string): void {
    this.byRole[role] = (this.byRole[role] ?? 0) + 1;
  }

  /** Remembers the sampling a request of `role` carried, once per distinct value. */
  receiveSampling(role: string, sampling: { readonly temperature: number | undefined; readonly topP: number | undefined; readonly maxTokens: number | undefined }): void {
    let seen = this.#samplingByRole.get(role);
    if (seen === undefined) {
      seen = new Map();
      this.#samplingByRole.set(role, seen);
    }
    const key = `${sampling.temperature}|${sampling.topP}|${sampling.maxTokens}`;
    if (seen.has(key) || seen.size >= SAMPLINGS_KEPT_PER_ROLE) return;
    seen.set(key, {
      ...(sampling.temperature === undefined ? {} : { temperature: sampling.temperature }),
      ...(sampling.topP === undefined ? {} : { top_p: sampling.topP }),
      ...(sampling.maxTokens === undefined ? {} : { max_tokens: sampling.maxTokens }),
    });
  }

  badRequest(message: string): void {
    this.badRequests++;
    this.#badRequestMessages.push(message);
    if (this.#badRequestMessages.length > BAD_REQUEST_MESSAGES_KEPT) this.#badRequestMessages.shift();
  }

  snapshot(): EmulatorProviderCounters {
    return {
      requests: this.requests,
      ok: this.ok,
      streamed: this.streamed,
      rateLimited: this.rateLimited,
      tokenLimited: this.tokenLimited,
      injected: { ...this.injected },
      defects: { ...this.defects },
      badRequests: this.badRequests,
      badRequestMessages: [...this.#badRequestMessages],
      authFailures: this.authFailures,
      byRole: { ...this.byRole },
      samplingByRole: Object.fromEntries([...this.#samplingByRole].map(([role, seen]) => [role, [...seen.values()]])),
      tokens: { input: this.inputTokens, output: this.outputTokens },
      arrivals: this.#arrivalsInOrder(),
    };
  }

  #arrivalsInOrder(): number[] {
    const count = Math.min(this.#arrivalCount, ARRIVALS_KEPT);
    const start = this.#arrivalCount - count;
    const arrivals: number[] = new Array<number>(count);
    for (let index = 0; index < count; index++) {
      arrivals[index] = Math.round((this.#arrivals[(start + index) % ARRIVALS_KEPT] as number) * 1000) / 1000;
    }
    return arrivals;
  }
}

export function createTallies(): Record<ProviderType, ProviderTally> {
  const tallies = {} as Record<ProviderType, ProviderTally>;
  for (const provider of PROVIDER_TYPES) tallies[provider] = new ProviderTally();
  return tallies;
}

export function snapshotTallies(tallies: Readonly<Record<ProviderType, ProviderTally>>): EmulatorCounters {
  const snapshot = {} as Record<ProviderType, EmulatorProviderCounters>;
  for (const provider of PROVIDER_TYPES) snapshot[provider] = tallies[provider].snapshot();
  return snapshot;
}

function zeroRecord<Key extends string>(keys: readonly Key[]): Record<Key, number> {
  const record = {} as Record<Key, number>;
  for (const key of keys) record[key] = 0;
  return record;
}
