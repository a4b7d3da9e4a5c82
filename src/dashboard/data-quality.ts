import { z } from 'zod';
import { parseConversationLine, readToolCalls, type SavedConversation } from '../format/index.js';
import { viewConversation, type ConversationView } from './conversation-view.js';

/** Which file a line came from. */
export type QualitySource = 'valid' | 'invalid' | 'rejects';

/** What the page shows of the data's quality, from the output files alone. */
export interface QualitySummary {
  readonly valid: number;
  readonly invalid: number;
  /** Abandoned conversations in `rejects.jsonl` (absent file: 0). */
  readonly rejected: number;
  readonly rejectReasons: Readonly<Record<string, number>>;
  /** Issues in both files' reports, by stable code, with how many were errors. */
  readonly issues: Readonly<Record<string, { readonly count: number; readonly errors: number }>>;
  /** Valid conversations with at least one tool call. */
  readonly withTools: number;
  /** Lines no reader could make sense of (a torn line, another format). */
  readonly unreadable: number;
  /** The newest saved conversations, newest first. */
  readonly recent: readonly ConversationView[];
}

interface SourceCounts {
  lines: number;
  unreadable: number;
  withTools: number;
  issues: Map<string, { count: number; errors: number }>;
  reasons: Map<string, number>;
}

/** How many of the newest saved conversations the page renders. */
const RECENT_CONVERSATIONS = 5;

const rejectLine = z.object({ reason: z.string().catch('unknown') });

/**
 * Counts the output file, the invalid file beside it and `rejects.jsonl` line by line as they
 * grow. Each file keeps its own counts, so one that starts again (replaced, or its torn last line
 * cut by the daemon's recovery) is recounted without counting the others twice.
 */
export class DataQuality {
  private readonly sources = new Map<QualitySource, SourceCounts>();
  private recent: SavedConversation[] = [];

  restart(source: QualitySource): void {
    this.sources.delete(source);
    if (source === 'valid') this.recent = [];
  }

  add(source: QualitySource, line: string): void {
    const counts = this.countsOf(source);
    if (source === 'rejects') {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        counts.unreadable++;
        return;
      }
      const parsed = rejectLine.safeParse(json);
      if (!parsed.success) {
        counts.unreadable++;
        return;
      }
      counts.lines++;
      counts.reasons.set(parsed.data.reason, (counts.reasons.get(parsed.data.reason) ?? 0) + 1);
      return;
    }
    const parsed = parseConversationLine(line);
    if (!parsed.ok) {
      counts.unreadable++;
      return;
    }
    const conversation = parsed.conversation;
    counts.lines++;
    for (const issue of conversation.report?.issues ?? []) {
      const entry = counts.issues.get(issue.code) ?? { count: 0, errors: 0 };
      entry.count++;
      if (issue.level === 'error') entry.errors++;
      counts.issues.set(issue.code, entry);
    }
    if ((readToolCalls(conversation)?.length ?? 0) > 0) counts.withTools++;
    if (source === 'valid') {
      this.recent.push(conversation);
      if (this.recent.length > RECENT_CONVERSATIONS) this.recent.shift();
    }
  }

  summary(): QualitySummary {
    const issues: Record<string, { count: number; errors: number }> = {};
    let unreadable = 0;
    for (const counts of this.sources.values()) {
      unreadable += counts.unreadable;
      for (const [code, entry] of counts.issues) {
        const total = (issues[code] ??= { count: 0, errors: 0 });
        total.count += entry.count;
        total.errors += entry.errors;
      }
    }
    const rejects = this.sources.get('rejects');
    return {
      valid: this.sources.get('valid')?.lines ?? 0,
      invalid: this.sources.get('invalid')?.lines ?? 0,
      rejected: rejects?.lines ?? 0,
      rejectReasons: Object.fromEntries(rejects?.reasons ?? []),
      issues,
      withTools: this.sources.get('valid')?.withTools ?? 0,
      unreadable,
      recent: this.recent.map(viewConversation).reverse(),
    };
  }

  private countsOf(source: QualitySource): SourceCounts {
    let counts = this.sources.get(source);
    if (counts === undefined) {
      counts = { lines: 0, unreadable: 0, withTools: 0, issues: new Map(), reasons: new Map() };
      this.sources.set(source, counts);
    }
    return counts;
  }
}
