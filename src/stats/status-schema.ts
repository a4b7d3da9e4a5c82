import { z } from 'zod';
import type { ProgressRecord } from './progress-record.js';

/** What the daemon is doing, as the status file says it. */
export const RUN_STATES = ['running', 'draining', 'finished', 'stopped'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The status file: the latest progress record plus who wrote it and where its output and log are. */
export interface RunStatus extends ProgressRecord {
  readonly pid: number;
  /** When this run (this process) started, ISO 8601. */
  readonly startedAt: string;
  /** When this file was last written, ISO 8601; a daemon that stops updating it is stalled or dead. */
  readonly updatedAt: string;
  /** How often the daemon rewrites the file; `status` calls a run stalled after three missed updates. */
  readonly progressIntervalMs: number;
  readonly state: RunState;
  /** Why the run stopped or is draining ("target reached", "SIGINT", "token budget reached: …"). */
  readonly stopReason?: string;
  readonly outputPath: string;
  readonly logFile: string;
}

const count = z.number().int().nonnegative();
const isoInstant = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 date');
const tokenCounts = z.object({ input: count, output: count });
const nullableNumber = z.number().nullable();

const providerState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('active') }),
  z.object({ status: z.literal('cooling_down'), until: z.string(), reason: z.string() }),
  z.object({ status: z.literal('disabled'), reason: z.string() }),
]);

const providerProgress = z.object({
  conversations: count,
  requests: count,
  inFlight: count,
  successes: count,
  rateLimited: count,
  errors: count,
  aborted: count,
  retries: count,
  latency: z.object({ meanMs: nullableNumber, p50Ms: nullableNumber, p95Ms: nullableNumber, samples: count }),
  tokens: tokenCounts,
  cost: nullableNumber,
  state: providerState,
  pace: z
    .object({
      configuredPerSecond: z.number().positive(),
      currentPerSecond: z.number().nonnegative(),
      source: z.enum(['configured', 'learned', 'headers']),
      marginMs: z.number().nonnegative(),
    })
    .optional(),
});

/** Mirrors `RunStatus`; the annotation makes the compiler keep the two in step. */
export const runStatusSchema: z.ZodType<RunStatus> = z.object({
  at: isoInstant,
  saved: count,
  target: count,
  percent: z.number(),
  savedThisRun: count,
  started: count,
  inFlight: count,
  surplus: count.optional(),
  rate: z.object({ overallPerHour: z.number(), recentPerHour: z.number(), recentWindowSeconds: z.number() }),
  etaSeconds: nullableNumber,
  elapsedSeconds: z.number().nonnegative(),
  providers: z.record(z.string(), providerProgress),
  models: z.record(z.string(), z.object({ input: count, output: count, cost: nullableNumber })),
  toolCalls: z.record(z.string(), z.object({ ok: count, failed: count })),
  discarded: z.record(z.string(), count),
  invalid: count.optional(),
  validityRate: z.number().min(0).max(1).optional(),
  tokens: tokenCounts,
  cost: z
    .object({ total: z.number(), projectedAtTarget: nullableNumber, unpricedModels: z.array(z.string()) })
    .nullable(),
  pid: z.number().int().positive(),
  startedAt: isoInstant,
  updatedAt: isoInstant,
  progressIntervalMs: z.number().positive(),
  state: z.enum(RUN_STATES),
  stopReason: z.string().optional(),
  outputPath: z.string(),
  logFile: z.string(),
});
