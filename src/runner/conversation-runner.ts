import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { NightshiftError, isProviderError } from '../core/errors.js';
import { ConversationDiscarded, type DiscardReason, type ModelRequester, type ProviderName } from '../core/types.js';
import type { SavedConversation } from '../format/index.js';
import type { OpenedPipeline, UnitOfWork } from '../pipelines/contract.js';
import type { RejectRecord } from '../store/index.js';
import { buildRejectRecord } from './reject-record.js';

/** The parts of other modules the runner drives; narrow so tests can see what it needs. */
export interface RunnerStore {
  readonly count: number;
  append(conversation: SavedConversation): Promise<boolean>;
}

export interface RunnerStats {
  conversationStarted(): void;
  conversationSaved(info: { provider: ProviderName | undefined; toolCalls: readonly { name: string; ok: boolean }[] }): void;
  conversationDiscarded(reason: string): void;
  /** A conversation labelled invalid and kept in the invalid file: finished, but not toward the target. */
  conversationInvalid(info: { provider: ProviderName | undefined; toolCalls: readonly { name: string; ok: boolean }[] }): void;
  /** A spare still in flight, or just finished, when the target was reached: stopped and rolled back, neither saved nor a failure. */
  conversationSurplus(): void;
}

export interface RunnerDispatcher {
  session(): ModelRequester & { readonly provider: ProviderName | undefined };
  /** Conversations to keep in flight, never more than `ceiling` (see Dispatcher.suggestedConcurrency). */
  suggestedConcurrency(usage: { readonly inFlight: number; readonly ceiling: number }): number;
  hasUsableProvider(): boolean;
  /** The order queued requests are served in from now on (see Dispatcher.serveInOrder). */
  serveInOrder(order: 'oldest' | 'arrival'): void;
}

export interface ConversationRunnerOptions {
  readonly target: number;
  readonly store: RunnerStore;
  /** Where conversations labelled false go (`<output>_invalid.jsonl`); never counted toward the target. */
  readonly invalidStore?: Pick<RunnerStore, 'append'>;
  /** Where abandoned conversations go with their provenance (`<data-dir>/rejects.jsonl`); never counted toward the target. */
  readonly rejects?: { append(record: RejectRecord): Promise<void> };
  /** Written into every reject. @default { name: 'unknown', version: '0' } */
  readonly pipelineIdentity?: { readonly name: string; readonly version: string };
  /** Wall clock for the rejects' `time`. @default Date.now */
  readonly now?: () => number;
  /** Its `capacity`, when it has one, caps the conversations in flight. */
  readonly pipeline: Pick<OpenedPipeline, 'run' | 'capacity'>;
  readonly dispatcher: RunnerDispatcher;
  readonly stats: RunnerStats;
  readonly logger: Logger;
  /** At most this many conversations in flight (`--concurrency`); below it the dispatcher's suggestion decides. @default no cap */
  readonly concurrency?: number;
  /** One conversation's deadline. @default 900_000 */
  readonly conversationDeadlineMs?: number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
  /** How often the in-flight target is re-evaluated without any completion. @default 250 */
  readonly recheckMs?: number;
}

export type RunOutcome =
  | { readonly kind: 'target_reached' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'drained'; readonly reason: string }
  | { readonly kind: 'no_providers'; readonly reason: string };

const NO_PROVIDER_REASON = 'every provider is disabled (authentication failed or refused); fix the keys and run again';

/**
 * Successes the failure share behind the spares counts beyond those seen: one failure among a short
 * run's first few conversations says little about the rest, and would otherwise start a spare for
 * nearly every conversation left. Over hundreds finished it no longer matters.
 */
const SPARES_PRIOR_SUCCESSES = 10;

/** Why the conversations still in flight when the target is reached are aborted: spares, not failures. */
const TARGET_REACHED = new Error('the target was reached: this spare conversation is no longer needed');

/**
 * Keeps enough conversations in flight to saturate every provider, stops opening new ones when
 * saved + in flight reaches the target (plus the spares its failures so far call for, see
 * #spares), replaces discarded ones, and ends with exactly `target` saved: whatever is still in
 * flight then is stopped and rolled back. `drain()` stops opening; `abortAll()` ends those still in flight.
 */
export class ConversationRunner {
  readonly #options: ConversationRunnerOptions;
  readonly #inFlight = new Map<string, AbortController>();
  #draining: string | undefined;
  /** Set when the output or a pipeline's storage cannot be written: nothing more can be saved. */
  #failure: string | undefined;
  #wake: (() => void) | undefined;
  /** This run's outcomes so far, for the failure share behind the spares. */
  #savedThisRun = 0;
  #failedThisRun = 0;
  /** Appends toward the target not yet on disk: a conversation finishing meanwhile must not pass the target. */
  #savesPending = 0;

  constructor(options: ConversationRunnerOptions) {
    this.#options = options;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  async run(): Promise<RunOutcome> {
    const { store, target, dispatcher } = this.#options;
    const recheckMs = this.#options.recheckMs ?? 250;
    while (true) {
      if (this.#draining === undefined && !dispatcher.hasUsableProvider()) this.drain(NO_PROVIDER_REASON);
      if (this.#draining !== undefined || store.count >= target) {
        if (store.count >= target) this.#stopSpares();
        if (this.#inFlight.size === 0) break;
      } else if (this.#savedOrSaving < target) {
        const wanted = this.#desiredConcurrency(target - store.count);
        while (this.#inFlight.size < wanted) this.#open();
        // All the target still needs is in flight: they finish soonest advancing together (unless a
        // conversation just opened began a drain, whose order stands).
        if (this.#startsLeft() === 0 && this.#draining === undefined) dispatcher.serveInOrder('arrival');
      }
      await this.#waitForChange(recheckMs);
    }
    if (this.#failure !== undefined) return { kind: 'failed', reason: this.#failure };
    if (store.count >= target) return { kind: 'target_reached' };
    if (this.#draining === NO_PROVIDER_REASON) return { kind: 'no_providers', reason: NO_PROVIDER_REASON };
    return { kind: 'drained', reason: this.#draining ?? 'stopped' };
  }

  /**
   * Stop opening conversations; those in flight go on, the oldest served first so that as many
   * as possible finish within a grace period. The first reason given is kept.
   */
  drain(reason: string): void {
    this.#draining ??= reason;
    this.#options.dispatcher.serveInOrder('oldest');
    this.#wake?.();
  }

  /** Abort every conversation in flight (the end of a grace period, or a second signal). */
  abortAll(reason: string): void {
    this.#abortInFlight(new Error(reason));
  }

  #abortInFlight(reason: Error): void {
    for (const controller of this.#inFlight.values()) controller.abort(reason);
  }

  /** Lines on disk and being written: what counts toward the target, so two finishing at once never pass it. */
  get #savedOrSaving(): number {
    return this.#options.store.count + this.#savesPending;
  }

  /**
   * The dispatcher's suggestion within `--concurrency`, the pipeline's capacity and what is left to
   * do; once all that is left is in flight, plus its spares within the same caps. `unsaved`: what
   * the target needs beyond the lines on disk; those being written are still in flight, but their
   * conversations are done, so the spares are for the rest.
   */
  #desiredConcurrency(unsaved: number): number {
    const caps = Math.min(this.#options.concurrency ?? Number.POSITIVE_INFINITY, this.#options.pipeline.capacity ?? Number.POSITIVE_INFINITY);
    const ceiling = Math.min(caps, unsaved);
    const suggested = this.#options.dispatcher.suggestedConcurrency({ inFlight: this.#inFlight.size, ceiling });
    const needed = Math.max(1, Math.min(suggested, ceiling));
    return needed < unsaved ? needed : Math.min(caps, needed + this.#spares(unsaved - this.#savesPending));
  }

  /**
   * Conversations started beyond what the target needs, once all it needs is in flight: as many as
   * this run's failure share (discarded or labelled invalid, of those finished) says will fail among
   * the `left` still needed, rounded up; none before the first failure. Without them a failure near
   * the end is replaced by a conversation that starts last and runs alone, every exchange one
   * request after another, while the providers idle (measured: 11 s, a tenth of a 500-conversation
   * run's quota). The first `left` to finish are saved; the rest are stopped (#stopSpares).
   */
  #spares(left: number): number {
    if (this.#failedThisRun === 0) return 0;
    const finished = this.#failedThisRun + this.#savedThisRun + SPARES_PRIOR_SUCCESSES;
    return Math.ceil((this.#failedThisRun / finished) * left);
  }

  /** The target is reached: the spares still in flight are stopped, neither saved nor counted as failures. */
  #stopSpares(): void {
    this.#abortInFlight(TARGET_REACHED);
  }

  /**
   * The output or a pipeline's storage failed (disk full, I/O error): generating more would spend
   * quota on conversations that cannot be kept, so the run stops at once with the reason.
   */
  #fail(reason: string, error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#options.logger.error({ err: error }, `stopping: ${reason}`);
    this.drain(reason);
    this.abortAll(reason);
  }

  #waitForChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#wake = done;
    });
  }

  #open(): void {
    const id = (this.#options.newId ?? randomUUID)();
    const controller = new AbortController();
    this.#inFlight.set(id, controller);
    this.#options.stats.conversationStarted();
    void this.#converse(id, controller, this.#startsLeft(), this.#inFlight.size).finally(() => {
      this.#inFlight.delete(id);
      this.#wake?.();
    });
  }

  /**
   * What the target needs beyond those in flight (a new one included): starts certain to come, a
   * replacement for one that fails being a start of its own when it is needed; none once the run drains.
   */
  #startsLeft(): number {
    if (this.#draining !== undefined) return 0;
    return Math.max(0, this.#options.target - this.#options.store.count - this.#inFlight.size);
  }

  async #converse(conversationId: string, controller: AbortController, startsLeft: number, inFlightAtStart: number): Promise<void> {
    const { pipeline, dispatcher, stats } = this.#options;
    const deadlineMs = this.#options.conversationDeadlineMs ?? 900_000;
    // A TimeoutError, so the pipeline counts it as `deadline` rather than `aborted`.
    const deadline = setTimeout(() => controller.abort(new DOMException('conversation deadline passed', 'TimeoutError')), deadlineMs);
    const session = dispatcher.session();
    let unit: UnitOfWork;
    try {
      unit = await pipeline.run({
        conversationId,
        requester: session,
        signal: controller.signal,
        startsLeft,
        inFlightAtStart,
        startsLeftNow: () => this.#startsLeft(),
      });
    } catch (error) {
      // A pipeline that throws has undone its own side effects (contract.ts): nothing to settle.
      if (isStorageFailure(error)) return this.#fail(`the pipeline's storage failed: ${(error as Error).message}`, error);
      const { reason, message } = describeFailure(error, controller.signal);
      // Only the abort itself: a failure the pipeline met before the target was reached (and was
      // still settling, its other requests or a sandbox) is a discard like any other.
      if (controller.signal.reason === TARGET_REACHED && reason === 'aborted') return this.#surplus(conversationId, { error, session });
      return this.#discard(conversationId, reason, message, { error, session });
    } finally {
      clearTimeout(deadline);
    }
    const outcome = await this.#save(unit);
    // The runner alone settles a unit of work: commit once its line is fsynced, rollback otherwise.
    if (!this.#settle(unit, outcome === 'saved' || outcome === 'saved_invalid') || outcome === 'write_failed') return;
    if (outcome === 'surplus') return this.#surplus(conversationId, { error: undefined, session });
    if (outcome === 'duplicate') {
      const duplicate = new ConversationDiscarded('invalid_output', 'the output already holds this conversation id', { provenance: { errorKind: 'duplicate_id' } });
      return this.#discard(conversationId, duplicate.reason, duplicate.message, { error: duplicate, session });
    }
    if (outcome === 'saved_invalid') {
      this.#failedThisRun++;
      stats.conversationInvalid({ provider: session.provider, toolCalls: unit.toolCalls ?? [] });
      this.#options.logger.debug({ conversationId, provider: session.provider }, 'conversation labelled invalid, kept in the invalid file');
      return;
    }
    this.#savedThisRun++;
    stats.conversationSaved({ provider: session.provider, toolCalls: unit.toolCalls ?? [] });
    this.#options.logger.debug({ conversationId, provider: session.provider, saved: this.#options.store.count }, 'conversation saved');
  }

  /**
   * Appends and fsyncs the line; a failed write ends the run. A conversation that finishes once the
   * saves on disk or under way reach the target is a spare no longer needed: `surplus`, not written.
   */
  async #save(unit: UnitOfWork): Promise<'saved' | 'saved_invalid' | 'duplicate' | 'write_failed' | 'surplus'> {
    const { invalidStore, store, target } = this.#options;
    if (this.#savedOrSaving >= target) return 'surplus';
    try {
      if (unit.conversation.label === false && invalidStore !== undefined) {
        return (await invalidStore.append(unit.conversation)) ? 'saved_invalid' : 'duplicate';
      }
      this.#savesPending++;
      try {
        return (await store.append(unit.conversation)) ? 'saved' : 'duplicate';
      } finally {
        this.#savesPending--;
      }
    } catch (error) {
      this.#fail(`the output cannot be written: ${(error as Error).message}`, error);
      return 'write_failed';
    }
  }

  /**
   * A spare no longer needed: counted apart from failures, and written to the rejects as `surplus`
   * with its requests, so every request the run paid for is in the output, the invalid file or there.
   */
  async #surplus(conversationId: string, origin: RejectOrigin): Promise<void> {
    this.#options.stats.conversationSurplus();
    this.#options.logger.debug({ conversationId }, 'target reached: spare conversation stopped and rolled back');
    await this.#reject(conversationId, 'surplus', TARGET_REACHED.message, origin);
  }

  /** False when the pipeline could not commit or roll back: its storage failed and the run stops. */
  #settle(unit: UnitOfWork, saved: boolean): boolean {
    try {
      if (saved) unit.commit();
      else unit.rollback();
      return true;
    } catch (error) {
      this.#fail(`could not ${saved ? 'commit' : 'roll back'} a conversation's side effects: ${(error as Error).message}`, error);
      return false;
    }
  }

  /**
   * Counts and logs the discard, then writes its reject. The conversation stays in flight until
   * the reject is on disk, so a stop waits for it. A reject that cannot be written is logged, not
   * fatal: the output is what the run exists for, and its own writes stop the run when the disk is full.
   */
  async #discard(conversationId: string, reason: DiscardReason, message: string, origin: RejectOrigin): Promise<void> {
    this.#failedThisRun++;
    this.#options.stats.conversationDiscarded(reason);
    this.#options.logger.info({ conversationId, reason, detail: message }, 'conversation discarded');
    await this.#reject(conversationId, reason, message, origin);
  }

  async #reject(conversationId: string, reason: DiscardReason, message: string, origin: RejectOrigin): Promise<void> {
    const { rejects } = this.#options;
    if (rejects === undefined) return;
    const record = buildRejectRecord({
      conversationId,
      pipeline: this.#options.pipelineIdentity ?? { name: 'unknown', version: '0' },
      reason,
      message,
      error: origin.error,
      steps: origin.session.steps ?? [],
      time: (this.#options.now ?? Date.now)(),
    });
    try {
      await rejects.append(record);
    } catch (error) {
      this.#options.logger.error({ err: error, conversationId }, `could not write the reject of conversation ${conversationId}: ${(error as Error).message}`);
    }
  }
}

/** What the pipeline threw (undefined when the runner gave up itself) and the session's requests. */
interface RejectOrigin {
  readonly error: unknown;
  readonly session: { readonly steps?: ModelRequester['steps'] };
}

/**
 * Failures of our own storage, as opposed to a model's or a provider's: they end the run. The
 * codes are the store's and the tool database's, the storage Ada's pipeline has.
 */
function isStorageFailure(error: unknown): boolean {
  return error instanceof NightshiftError && /^(STORE_|TOOL_STORE_|TOOL_ROLLBACK_)/.test(error.code);
}

function describeFailure(error: unknown, signal: AbortSignal): { reason: DiscardReason; message: string } {
  if (error instanceof ConversationDiscarded) return { reason: error.reason, message: error.message };
  if (signal.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    return { reason: /deadline/.test(why) ? 'deadline' : 'aborted', message: why };
  }
  if (isProviderError(error)) return { reason: 'provider_failure', message: error.message };
  // A pipeline bug must not take the daemon down with it; it is counted and logged instead.
  return { reason: 'invalid_output', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

