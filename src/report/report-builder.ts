/**
 * Folds saved lines and rejects into the report, one at a time: every figure is a counter, a
 * fixed-bucket histogram, a bounded sample or a map bounded by the data's own pools, so 100k
 * conversations take the memory of a few thousand.
 */
import { findThinkBlocks, removeThinking, stripToolCalls, type SavedConversation } from '../format/index.js';
import { countPrivateData, emptyPrivateDataCounts } from '../store/index.js';
import { CappedCounter } from './capped-counter.js';
import { readConversationFacts } from './conversation-facts.js';
import { DuplicateClusters } from './duplicate-clusters.js';
import { Histogram, LENGTH_EDGES, TURN_EDGES, rate, round } from './histogram.js';
import { LexicalDiversity } from './lexical-diversity.js';
import { ToolShareTally } from './tool-share-tally.js';
import type { ProviderModelFigures, QualityReport, TimelinePoint } from './report-types.js';

/** Prices per million tokens, by model, as `prices` in secrets.json gives them. */
export type ModelPrices = Readonly<Record<string, { readonly inputPerMillion: number; readonly outputPerMillion: number }>>;

interface ProviderModelTally {
  provider: string;
  model: string;
  valid: number;
  invalid: number;
  judged: number;
  judgeSum: number;
  input: number;
  output: number;
}

const MINUTE_MS = 60_000;
const TIMELINE_POINTS = 120;
const increment = (record: Record<string, number>, key: string): void => {
  record[key] = (record[key] ?? 0) + 1;
};

export class ReportBuilder {
  readonly #prices: ModelPrices;
  readonly #pipelines: Record<string, number> = {};
  readonly #issues: Record<string, { errors: number; warnings: number }> = {};
  readonly #calls: Record<string, { calls: number; succeeded: number }> = {};
  readonly #rejectReasons: Record<string, number> = {};
  readonly #rejectSteps: Record<string, number> = {};
  readonly #turns = new Histogram(TURN_EDGES);
  readonly #userCharacters = new Histogram(LENGTH_EDGES);
  readonly #replyCharacters = new Histogram(LENGTH_EDGES);
  readonly #diversity = new LexicalDiversity();
  readonly #duplicates = new DuplicateClusters();
  readonly #topics = new CappedCounter();
  readonly #users = new CappedCounter();
  readonly #behaviors = new CappedCounter();
  readonly #environments = new CappedCounter();
  readonly #providers = new Map<string, ProviderModelTally>();
  /** Minute (epoch ms ÷ 60,000) -> [valid, invalid]: a run of a week is 10k entries. */
  readonly #minutes = new Map<number, [number, number]>();
  readonly #privateData = emptyPrivateDataCounts();
  readonly #toolShare = new ToolShareTally();
  #valid = 0;
  #invalid = 0;
  #rejected = 0;
  #badLines = 0;
  #dryRun = 0;
  #withCalls = 0;
  #replies = 0;
  #withThinking = 0;
  #refusals = 0;

  constructor(prices: ModelPrices = {}) {
    this.#prices = prices;
  }

  /** One line of the output (`valid`) or of the invalid file; `raw` is the parsed JSON (for `report.judge`). */
  addConversation(conversation: SavedConversation, raw: unknown, valid: boolean): void {
    const facts = readConversationFacts(conversation, raw);
    if (valid) this.#valid++;
    else this.#invalid++;
    if (facts.dryRun) this.#dryRun++;
    increment(this.#pipelines, facts.pipeline);
    this.#addIssues(conversation);
    this.#addMessages(conversation);
    if (facts.calls.length > 0) this.#withCalls++;
    this.#toolShare.add(facts, valid);
    for (const call of facts.calls) {
      const tally = (this.#calls[call.name] ??= { calls: 0, succeeded: 0 });
      tally.calls++;
      if (call.ok) tally.succeeded++;
    }
    this.#topics.add(facts.topic);
    this.#users.add(facts.user);
    this.#behaviors.add(facts.behavior);
    this.#environments.add(facts.environment);
    const key = `${facts.provider}\u0000${facts.model}`;
    const tally = this.#providers.get(key) ?? { provider: facts.provider, model: facts.model, valid: 0, invalid: 0, judged: 0, judgeSum: 0, input: 0, output: 0 };
    this.#providers.set(key, tally);
    if (valid) tally.valid++;
    else tally.invalid++;
    if (facts.judgeScore !== undefined) {
      tally.judged++;
      tally.judgeSum += facts.judgeScore;
    }
    tally.input += facts.inputTokens;
    tally.output += facts.outputTokens;
    if (facts.finishedAt !== undefined) {
      const minute = Math.floor(facts.finishedAt / MINUTE_MS);
      const counts = this.#minutes.get(minute) ?? [0, 0];
      counts[valid ? 0 : 1]++;
      this.#minutes.set(minute, counts);
    }
  }

  /** One line of rejects.jsonl, already checked to have a `reason`. */
  addReject(reason: string, failedStep: string | undefined): void {
    this.#rejected++;
    increment(this.#rejectReasons, reason);
    increment(this.#rejectSteps, failedStep ?? 'unknown');
  }

  addBadLine(): void {
    this.#badLines++;
  }

  #addIssues(conversation: SavedConversation): void {
    const codes = new Map<string, 'error' | 'warning'>();
    for (const issue of conversation.report?.issues ?? []) {
      if (codes.get(issue.code) !== 'error') codes.set(issue.code, issue.level);
      if (issue.code === 'near-duplicate') {
        const opening = conversation.conversations.find((message) => message.role === 'user')?.content ?? '';
        this.#duplicates.addFlagged(conversation.id, issue.message, opening);
      }
    }
    for (const [code, level] of codes) {
      const tally = (this.#issues[code] ??= { errors: 0, warnings: 0 });
      if (level === 'error') tally.errors++;
      else tally.warnings++;
    }
    if (codes.has('refusal')) this.#refusals++;
  }

  #addMessages(conversation: SavedConversation): void {
    let turns = 0;
    // The dataset's words: what the simulated user and the assistant wrote, without reasoning or call markup.
    const texts: string[] = [];
    for (const message of conversation.conversations) {
      // What users and replies write: the system prompt is the user's own, and a tool result echoes its call.
      if (message.role === 'user' || message.role === 'assistant') countPrivateData(message.content, this.#privateData);
      if (message.role === 'user') {
        turns++;
        this.#userCharacters.add(message.content.length);
        texts.push(message.content);
      } else if (message.role === 'assistant') {
        this.#replies++;
        if (findThinkBlocks(message.content).length > 0) this.#withThinking++;
        // A self-play reply is often a call and nothing else: its length is the call's.
        const outside = removeThinking(message.content);
        this.#replyCharacters.add(outside.length);
        // What visibleReply returns, without splitting the reasoning out a second time.
        texts.push(stripToolCalls(outside).trim());
      }
    }
    this.#turns.add(turns);
    this.#diversity.add(conversation.id, () => texts.join('\n'));
  }

  build(context: { readonly dataDir: string; readonly files: QualityReport['files']; readonly manifest: unknown; readonly now: Date }): QualityReport {
    const saved = this.#valid + this.#invalid;
    return {
      generatedAt: context.now.toISOString(),
      dataDir: context.dataDir,
      files: context.files,
      pipelines: { ...this.#pipelines },
      counts: { valid: this.#valid, invalid: this.#invalid, rejected: this.#rejected, validityRate: rate(this.#valid, saved), badLines: this.#badLines, dryRun: this.#dryRun },
      rejects: { byReason: { ...this.#rejectReasons }, byFailedStep: { ...this.#rejectSteps } },
      issues: Object.fromEntries(Object.entries(this.#issues).sort((a, b) => b[1].errors + b[1].warnings - (a[1].errors + a[1].warnings))),
      tools: {
        conversationsWithCalls: this.#withCalls,
        share: rate(this.#withCalls, saved),
        calls: Object.fromEntries(
          Object.entries(this.#calls)
            .sort((a, b) => b[1].calls - a[1].calls)
            .map(([name, tally]) => [name, { ...tally, successRate: rate(tally.succeeded, tally.calls) }]),
        ),
        toolShare: this.#toolShare.figures(),
      },
      distributions: { turns: this.#turns.figures(), userCharacters: this.#userCharacters.figures(), replyCharacters: this.#replyCharacters.figures() },
      thinking: { replies: this.#replies, withThinking: this.#withThinking, coverage: rate(this.#withThinking, this.#replies) },
      refusals: { conversations: this.#refusals, rate: rate(this.#refusals, saved) },
      nearDuplicates: this.#duplicates.figures(),
      diversity: this.#diversity.figures(),
      coverage: { topics: this.#topics.figures(), users: this.#users.figures(), behaviors: this.#behaviors.figures(), environments: this.#environments.figures() },
      providers: [...this.#providers.values()].sort((a, b) => b.valid + b.invalid - (a.valid + a.invalid)).map((tally) => this.#providerFigures(tally)),
      timeline: this.#timeline(),
      privateData: { ...this.#privateData },
      manifest: context.manifest,
    };
  }

  #providerFigures(tally: ProviderModelTally): ProviderModelFigures {
    const price = this.#prices[tally.model];
    const conversations = tally.valid + tally.invalid;
    return {
      provider: tally.provider,
      model: tally.model,
      conversations,
      valid: tally.valid,
      invalid: tally.invalid,
      validityRate: rate(tally.valid, conversations),
      meanJudgeScore: tally.judged === 0 ? null : round(tally.judgeSum / tally.judged, 2),
      judged: tally.judged,
      tokens: { input: tally.input, output: tally.output },
      costUsd: price === undefined ? null : round((tally.input * price.inputPerMillion + tally.output * price.outputPerMillion) / 1_000_000, 4),
    };
  }

  /** Minutes merged into at most 120 buckets of a whole number of minutes, so a night and a week both chart. */
  #timeline(): QualityReport['timeline'] {
    if (this.#minutes.size === 0) return { bucketSeconds: 60, points: [] };
    const minutes = [...this.#minutes.keys()];
    const first = Math.min(...minutes);
    const last = Math.max(...minutes);
    const width = Math.max(1, Math.ceil((last - first + 1) / TIMELINE_POINTS));
    const points: TimelinePoint[] = [];
    for (let start = first; start <= last; start += width) {
      let valid = 0;
      let invalid = 0;
      for (let minute = start; minute < start + width; minute++) {
        const counts = this.#minutes.get(minute);
        valid += counts?.[0] ?? 0;
        invalid += counts?.[1] ?? 0;
      }
      points.push({ start: start * MINUTE_MS, valid, invalid });
    }
    return { bucketSeconds: width * 60, points };
  }
}
