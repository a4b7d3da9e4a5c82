/**
 * Keeps the output's manifest (src/store/dataset-manifest.ts) as the run goes: at start it settles
 * what the file says against the output (lines a crash saved after the last manifest write belong
 * to the combination that was running) and warns when this run's prompts, models or sampling
 * differ from those of the lines already saved; then it counts each saved line under this run's
 * combination, writing the manifest at most once a second and once more at the end.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { OpenedPipeline, PreparedPipeline } from '../pipelines/contract.js';
import {
  UNKNOWN_FINGERPRINT,
  describeChanges,
  madeWithOtherInputs,
  fingerprintOf,
  fingerprintTools,
  manifestPath,
  readManifest,
  writeManifest,
  type DatasetManifest,
  type ManifestEntry,
  type RunCombination,
} from '../store/index.js';
import type { RunnerStats } from './conversation-runner.js';

export interface RunManifestOptions {
  readonly outputPath: string;
  readonly pipeline: { readonly name: string; readonly version: string };
  readonly inputs: PreparedPipeline['inputs'];
  /** The tools the opened pipeline offers the model (`OpenedPipeline.tools`). */
  readonly tools?: OpenedPipeline['tools'];
  /** Provider instance -> role -> model, as configured for this run. */
  readonly models: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly target: number;
  /** Lines the output holds at start. */
  readonly alreadySaved: number;
  readonly logger: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Least time between two writes while the run goes. @default 1000 */
  readonly writeIntervalMs?: number;
}

function unknownEntry(valid: number, at: string): ManifestEntry {
  return { fingerprint: UNKNOWN_FINGERPRINT, pipeline: { name: 'unknown', version: 'unknown' }, prompts: {}, models: {}, sampling: {}, firstUsed: at, lastUsed: at, valid, invalid: 0 };
}

export class RunManifest {
  readonly path: string;
  readonly #manifest: DatasetManifest;
  readonly #entry: ManifestEntry;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #logger: Logger;
  #lastWrite = 0;
  #timer: NodeJS.Timeout | undefined;
  /** False when the output is a device or a pipe (`/dev/full`, a FIFO): nothing sits beside those. */
  readonly #besideAFile: boolean;
  /** The combination the manifest named current before this run. */
  #previousCurrent: string | undefined;

  constructor(options: RunManifestOptions) {
    this.path = manifestPath(options.outputPath);
    this.#now = options.now ?? Date.now;
    this.#interval = options.writeIntervalMs ?? 1000;
    this.#logger = options.logger;
    this.#besideAFile = !existsSync(options.outputPath) || statSync(options.outputPath).isFile();
    const at = new Date(this.#now()).toISOString();
    const combination: RunCombination = {
      pipeline: { name: options.pipeline.name, version: options.pipeline.version },
      prompts: { ...(options.inputs?.files ?? {}) },
      models: Object.fromEntries(Object.entries(options.models).map(([instance, roles]) => [instance, { ...roles }])),
      sampling: { ...(options.inputs?.sampling ?? {}) },
      ...(options.tools === undefined ? {} : { tools: fingerprintTools(options.tools) }),
    };
    const combinations = this.#settle(options, at);
    const fingerprint = fingerprintOf(combination);
    const previous = combinations.find((entry) => entry.fingerprint === this.#previousCurrent);
    const changes = changesSince(previous, fingerprint, combination);
    if (previous !== undefined && changes.length > 0) {
      // Sampling alone does not make lines stale (dataset-manifest.ts): saying STALE would be untrue.
      const consequence = madeWithOtherInputs(previous, combination)
        ? 'The output will mix both (npm run status says STALE)'
        : 'The output will mix both samplings (npm run status counts the lines made with other sampling settings; they are not stale)';
      options.logger.warn(
        { manifest: this.path, changes, linesBefore: previous.valid },
        `resuming with other inputs than the ${previous.valid} line(s) already saved: ${changes.join('; ')}. ${consequence}; use another --output to keep them apart`,
      );
    }
    let entry = combinations.find((candidate) => candidate.fingerprint === fingerprint);
    if (entry === undefined) {
      entry = { fingerprint, ...combination, firstUsed: at, lastUsed: at, valid: 0, invalid: 0 };
      combinations.push(entry);
    }
    entry.lastUsed = at;
    this.#entry = entry;
    this.#manifest = { manifestVersion: 1, output: path.basename(options.outputPath), target: options.target, updatedAt: at, current: fingerprint, combinations };
    this.write();
  }

  /** The combinations the file holds, reconciled with the output's line count. */
  #settle(options: RunManifestOptions, at: string): ManifestEntry[] {
    const read = readManifest(this.path);
    if (read.kind !== 'read') {
      if (read.kind === 'unreadable') options.logger.warn({ manifest: this.path, reason: read.reason }, `the manifest ${this.path} is unreadable (${read.reason}); writing a new one`);
      if (options.alreadySaved === 0) return [];
      this.#previousCurrent = UNKNOWN_FINGERPRINT;
      return [unknownEntry(options.alreadySaved, at)];
    }
    const combinations = read.manifest.combinations.map((entry) => ({ ...entry }));
    this.#previousCurrent = read.manifest.current;
    const counted = combinations.reduce((sum, entry) => sum + entry.valid, 0);
    if (counted < options.alreadySaved) {
      // Saved after the last manifest write, before a crash: by the combination that was running.
      const running = combinations.find((entry) => entry.fingerprint === read.manifest.current);
      if (running !== undefined) running.valid += options.alreadySaved - counted;
      else combinations.push(unknownEntry(options.alreadySaved - counted, at));
    }
    if (counted > options.alreadySaved) {
      // The output lost lines the manifest counts: deleted to start afresh, or cut by hand. Lines
      // are appended, so those that went are the latest: taken off the combinations used last first.
      options.logger.warn(
        { manifest: this.path, counted, lines: options.alreadySaved },
        `the manifest ${this.path} counts ${counted} line(s) but the output holds ${options.alreadySaved}; counting only these (the latest runs' lines are taken as the ones removed)`,
      );
      let excess = counted - options.alreadySaved;
      for (const entry of [...combinations].sort((a, b) => b.lastUsed.localeCompare(a.lastUsed))) {
        const removed = Math.min(entry.valid, excess);
        entry.valid -= removed;
        excess -= removed;
      }
    }
    // A combination left with no line in either file records nothing.
    return combinations.filter((entry) => entry.valid + entry.invalid > 0);
  }

  /** One line saved by this run, to the output (`valid`) or to the invalid file. */
  saved(valid: boolean): void {
    if (valid) this.#entry.valid++;
    else this.#entry.invalid++;
    const wait = this.#lastWrite + this.#interval - this.#now();
    if (wait <= 0) this.write();
    else this.#timer ??= setTimeout(() => this.write(), wait);
  }

  /** The runner's stats with each saved line counted here too. */
  countingStats(stats: RunnerStats): RunnerStats {
    return {
      conversationStarted: () => stats.conversationStarted(),
      conversationDiscarded: (reason) => stats.conversationDiscarded(reason),
      conversationSurplus: () => stats.conversationSurplus(),
      conversationSaved: (info) => {
        stats.conversationSaved(info);
        this.saved(true);
      },
      conversationInvalid: (info) => {
        stats.conversationInvalid(info);
        this.saved(false);
      },
    };
  }

  /**
   * A manifest that cannot be written is a warning, not a stop: the conversations are safe in the
   * output, and the next write (or the next start, which settles the counts) catches up.
   */
  write(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#besideAFile) return;
    this.#lastWrite = this.#now();
    this.#manifest.updatedAt = new Date(this.#lastWrite).toISOString();
    try {
      writeManifest(this.path, this.#manifest);
    } catch (error) {
      this.#logger.warn({ manifest: this.path, error: (error as Error).message }, `could not write the manifest ${this.path}: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.write();
  }
}

/**
 * What changed since the lines already saved, in words; none when nothing was saved. A new
 * fingerprint with no change in words only records more than before (tools, first recorded by
 * this version): nothing to warn about.
 */
function changesSince(previous: ManifestEntry | undefined, fingerprint: string, combination: RunCombination): string[] {
  if (previous === undefined || previous.fingerprint === fingerprint || previous.valid === 0) return [];
  if (previous.fingerprint === UNKNOWN_FINGERPRINT) return ['the lines already saved were made before the output had a manifest'];
  return describeChanges(previous, combination);
}
