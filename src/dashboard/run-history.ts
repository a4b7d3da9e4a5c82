import { z } from 'zod';
import { PROGRESS_MESSAGE } from '../stats/progress-record.js';

/** One provider in one progress record: the counters the charts draw (cumulative within one daemon run). */
export interface ProviderPoint {
  readonly requests: number;
  readonly rateLimited: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly perSecond: number | null;
}

/** One progress record as the charts need it. */
export interface HistoryPoint {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** The pid of the daemon that wrote it: counters restart from zero when it changes. */
  readonly pid: number;
  readonly saved: number;
  readonly target: number;
  readonly perHour: number;
  /** Invalid ÷ (saved + invalid) over that daemon run so far; 0 when nothing was labelled invalid. */
  readonly invalidShare: number;
  readonly providers: Readonly<Record<string, ProviderPoint>>;
}

/** A warning or error line of the log, for the page's newest-first list. */
export interface LogEvent {
  readonly time: string;
  /** pino's number: 40 warn, 50 error, 60 fatal. */
  readonly level: number;
  readonly message: string;
  /** The line's other short fields (`provider`, `code`, …) as `key=value` text. */
  readonly details: string;
}

/** Most points kept: beyond it every other old point is dropped, so a week-long run stays light. */
const MAX_HISTORY_POINTS = 2000;
/** Most log events kept (the newest). */
const MAX_EVENTS = 100;
const WARN_LEVEL = 40;
const DETAIL_FIELDS_SKIPPED = new Set(['level', 'time', 'pid', 'msg', 'hostname', 'summary']);

const nullableNumber = z.number().nullable().catch(null);
const progressLine = z.object({
  msg: z.literal(PROGRESS_MESSAGE),
  pid: z.number().catch(0),
  at: z.string(),
  saved: z.number(),
  target: z.number(),
  savedThisRun: z.number().catch(0),
  invalid: z.number().optional(),
  rate: z.object({ recentPerHour: z.number() }),
  providers: z.record(
    z.string(),
    z.object({
      requests: z.number(),
      rateLimited: z.number(),
      errors: z.number(),
      latency: z.object({ p50Ms: nullableNumber, p95Ms: nullableNumber }),
      pace: z.object({ currentPerSecond: z.number() }).optional(),
    }),
  ),
});
const anyLine = z.object({ level: z.number(), time: z.union([z.string(), z.number()]), msg: z.string().catch('') }).passthrough();

/**
 * The run's history from its NDJSON logs: every progress record (the charts cover the whole run,
 * restarts included) and the warnings and errors. Lines are fed in the order the files hold them;
 * a line that is not JSON (a torn line after a crash) is skipped.
 */
export class RunHistory {
  private readonly points: HistoryPoint[] = [];
  private readonly events: LogEvent[] = [];
  /** How many times old points were dropped: until it changes, the history only grows at its end. */
  private thinnings = 0;

  add(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return;
    }
    const progress = progressLine.safeParse(json);
    if (progress.success) {
      this.addPoint(toPoint(progress.data));
      return;
    }
    const parsed = anyLine.safeParse(json);
    if (!parsed.success || parsed.data.level < WARN_LEVEL) return;
    const { level, time, msg } = parsed.data;
    this.events.push({ time: typeof time === 'number' ? new Date(time).toISOString() : time, level, message: msg, details: detailsOf(parsed.data) });
    if (this.events.length > MAX_EVENTS * 2) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  /** Points in time order (files are read in name order, which is start-time order); a copy, which later lines leave as it is. */
  history(): readonly HistoryPoint[] {
    return this.points.slice();
  }

  /** Changes whenever points were dropped, so a reader holding an older copy knows appending is not enough. */
  get thinningCount(): number {
    return this.thinnings;
  }

  /** The newest first. */
  newestEvents(): LogEvent[] {
    return this.events
      .slice(-MAX_EVENTS)
      .sort((left, right) => Date.parse(right.time) - Date.parse(left.time));
  }

  private addPoint(point: HistoryPoint): void {
    if (Number.isNaN(point.at)) return;
    this.points.push(point);
    if (this.points.length > MAX_HISTORY_POINTS) {
      // Thin the older half: the shape of the night stays, the recent detail too.
      const half = Math.floor(this.points.length / 2);
      const thinned = this.points.slice(0, half).filter((_, index) => index % 2 === 0);
      this.points.splice(0, half, ...thinned);
      this.thinnings++;
    }
  }
}

function toPoint(record: z.infer<typeof progressLine>): HistoryPoint {
  const invalid = record.invalid ?? 0;
  const judged = record.savedThisRun + invalid;
  const providers: Record<string, ProviderPoint> = {};
  for (const [name, provider] of Object.entries(record.providers)) {
    providers[name] = {
      requests: provider.requests,
      rateLimited: provider.rateLimited,
      errors: provider.errors,
      p50Ms: provider.latency.p50Ms,
      p95Ms: provider.latency.p95Ms,
      perSecond: provider.pace?.currentPerSecond ?? null,
    };
  }
  return {
    at: Date.parse(record.at),
    pid: record.pid,
    saved: record.saved,
    target: record.target,
    perHour: record.rate.recentPerHour,
    invalidShare: judged === 0 ? 0 : invalid / judged,
    providers,
  };
}

function detailsOf(line: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(line)) {
    if (DETAIL_FIELDS_SKIPPED.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      parts.push(`${key}=${text.length > 120 ? `${text.slice(0, 117)}…` : text}`);
    }
  }
  return parts.join(' ');
}
