/**
 * `report.json`: what the report says about a data directory. The page (report.html) and the
 * printed summary are drawn from this one object, so a number on the page is the number in the file.
 */

export interface HistogramFigures {
  /** Lower edge of each bucket; the last bucket is open-ended. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly total: number;
  readonly mean: number | null;
  readonly max: number | null;
}

export interface CountedName {
  readonly name: string;
  readonly count: number;
}

export interface CoverageFigures {
  readonly distinct: number;
  /** The most frequent, at most 20. */
  readonly top: readonly CountedName[];
  /** True when more distinct names came than the report keeps count of (then `distinct` is a floor). */
  readonly capped: boolean;
}

export interface ProviderModelFigures {
  readonly provider: string;
  /** The model that wrote the assistant's replies. */
  readonly model: string;
  readonly conversations: number;
  readonly valid: number;
  readonly invalid: number;
  readonly validityRate: number | null;
  /** Mean `report.judge.score` over the lines that carry one (`--judge`); null when none does. */
  readonly meanJudgeScore: number | null;
  readonly judged: number;
  readonly tokens: { readonly input: number; readonly output: number };
  /** US dollars at the assistant model's price (`prices` in secrets.json); null without a price. */
  readonly costUsd: number | null;
}

export interface TimelinePoint {
  /** Start of the bucket, epoch milliseconds. */
  readonly start: number;
  readonly valid: number;
  readonly invalid: number;
}

export interface DuplicateCluster {
  readonly size: number;
  readonly ids: readonly string[];
  /** The opening request of up to three members, shortened. */
  readonly examples: readonly string[];
}

export interface PlanFigures {
  /** Lines (valid and invalid) planned so. */
  readonly conversations: number;
  readonly withCalls: number;
  readonly share: number | null;
}

export interface ToolShareFigures {
  /** What the latest run that steered aimed at (the target of the most recently finished line that carries one). */
  readonly targetShare: number;
  /** Share of the output (valid lines, whatever their plan) with at least one call: what the steering aims at. */
  readonly reachedShare: number | null;
  readonly valid: number;
  readonly validWithCalls: number;
  /** How each plan turned out: a plan steers the simulated user, the model decides whether it calls. */
  readonly byPlan: { readonly tools: PlanFigures; readonly noTools: PlanFigures };
}

export interface QualityReport {
  readonly generatedAt: string;
  readonly dataDir: string;
  readonly files: {
    readonly output: string;
    readonly invalid: string;
    readonly rejects: string;
    readonly manifest: string;
  };
  readonly pipelines: Readonly<Record<string, number>>;
  readonly counts: {
    readonly valid: number;
    readonly invalid: number;
    readonly rejected: number;
    /** Valid ÷ (valid + invalid); null when nothing was saved. */
    readonly validityRate: number | null;
    /** Lines that were not a saved conversation (or not a reject), skipped. */
    readonly badLines: number;
    readonly dryRun: number;
  };
  readonly rejects: {
    readonly byReason: Readonly<Record<string, number>>;
    readonly byFailedStep: Readonly<Record<string, number>>;
  };
  /** Per `report.issues` code: how many conversations carry it as an error and as a warning. */
  readonly issues: Readonly<Record<string, { readonly errors: number; readonly warnings: number }>>;
  readonly tools: {
    readonly conversationsWithCalls: number;
    /** Share of valid and invalid conversations with at least one call. */
    readonly share: number | null;
    readonly calls: Readonly<Record<string, { readonly calls: number; readonly succeeded: number; readonly successRate: number | null }>>;
    /** `--tool-share`: the target and the share reached; null when no line carries a target (`metadata.toolShare`). */
    readonly toolShare: ToolShareFigures | null;
  };
  readonly distributions: {
    /** User messages per conversation. */
    readonly turns: HistogramFigures;
    /** Characters of each user message. */
    readonly userCharacters: HistogramFigures;
    /** Characters of each assistant reply outside `<think>` (tool-call markup included). */
    readonly replyCharacters: HistogramFigures;
  };
  readonly thinking: { readonly replies: number; readonly withThinking: number; readonly coverage: number | null };
  readonly refusals: { readonly conversations: number; readonly rate: number | null };
  readonly nearDuplicates: { readonly flagged: number; readonly clusters: readonly DuplicateCluster[]; readonly clusterCount: number };
  readonly diversity: {
    /** Distinct words ÷ words, over the sample's user messages and replies (no reasoning, no call markup). */
    readonly distinct1: number | null;
    /** Distinct word pairs ÷ word pairs, over the sample. */
    readonly distinct2: number | null;
    readonly sampledConversations: number;
    readonly sampledWords: number;
  };
  readonly coverage: {
    readonly topics: CoverageFigures;
    readonly users: CoverageFigures;
    /** Self-play: behaviors and workspace variations; Ada: none. */
    readonly behaviors: CoverageFigures;
    readonly environments: CoverageFigures;
  };
  readonly providers: readonly ProviderModelFigures[];
  readonly timeline: { readonly bucketSeconds: number; readonly points: readonly TimelinePoint[] };
  /** What `export --redact` would replace, over every message of the valid and invalid files. */
  readonly privateData: Readonly<Record<string, number>>;
  /** The manifest beside the output, as written by the run; null when there is none. */
  readonly manifest: unknown;
}
