import type { BudgetGate } from '../core/budget.js';
import { isProviderError, ProviderError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type {
  ChatResult,
  DispatchEvent,
  ModelRequester,
  ProviderErrorKind,
  ProviderName,
  ProviderSwitch,
  RequestStep,
  RoleRequest,
  Usage,
} from '../core/types.js';
import { estimateTokens, holdBudget, type TokenEstimate } from './budget-hold.js';
import { callWithDeadline } from './call-with-deadline.js';
import type { ProviderRouter } from './provider-router.js';
import type { ProviderSlot } from './provider-slot.js';
import { SlotUnavailableError } from './slot-contract.js';
import { backoffDelayMs, type RetryPolicy } from './retry-policy.js';

/** What every session of one dispatcher shares. */
export interface SessionContext {
  readonly router: ProviderRouter;
  readonly retry: RetryPolicy;
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: Random;
  /** Aborts when the dispatcher closes. */
  readonly closed: AbortSignal;
  readonly emit: (event: DispatchEvent) => void;
  /** Monthly budgets: reserved right before a request is sent, settled when it ends. */
  readonly budget?: BudgetGate;
  /** The next session's seniority: sessions opened earlier are served first where requests queue. */
  readonly nextSeniority: () => number;
}

/** The slot whose `outstanding` count this request holds, if any. */
interface Ticket {
  slot: ProviderSlot | undefined;
}

type AttemptOutcome =
  | { readonly ok: true; readonly result: ChatResult }
  | { readonly ok: false; readonly error: ProviderError; readonly latencyMs: number }
  | 'unavailable';

/** The reasons recorded when a conversation that failed over goes back to where it started. */
export const HOME_RECOVERED = 'home provider recovered';
export const HOME_PROBED = 'home provider out of cooldown; this request probes it';

/**
 * The requester of one conversation: sticks to one provider, fails over when it is cooling down
 * or disabled, goes back to its first provider once that one has recovered, and records every
 * switch.
 */
export class DispatcherSession implements ModelRequester {
  private current: ProviderName | undefined;
  /** The provider the conversation started on (or asked for): where it returns after a failover. */
  private home: ProviderName | undefined;
  private readonly switchList: ProviderSwitch[] = [];
  private readonly stepList: RequestStep[] = [];
  private readonly seniority: number;

  constructor(
    private readonly context: SessionContext,
    preferred?: ProviderName,
  ) {
    this.current = preferred;
    this.home = preferred;
    this.seniority = context.nextSeniority();
  }

  /** The provider serving this conversation (the preferred one before the first request). */
  get provider(): ProviderName | undefined {
    return this.current;
  }

  get switches(): readonly ProviderSwitch[] {
    return this.switchList;
  }

  /** Every request of the conversation, one entry each however many attempts it took. */
  get steps(): readonly RequestStep[] {
    return this.stepList;
  }

  async complete(request: RoleRequest): Promise<ChatResult> {
    const controller = new AbortController();
    const unlink = linkAbort(controller, request.signal, this.context.closed);
    try {
      return await this.run(request, controller.signal);
    } finally {
      unlink();
    }
  }

  private async run(request: RoleRequest, signal: AbortSignal): Promise<ChatResult> {
    const estimate = estimateTokens(request);
    const ticket: Ticket = { slot: undefined };
    let failedAttempts = 0;
    let lastError: ProviderError | undefined;
    // Recorded whatever happens, so a conversation abandoned here still shows what it asked.
    const step = { role: request.role, provider: this.current ?? '', model: '', request: request.messages, reply: null as string | null };
    this.stepList.push(step);
    try {
      for (;;) {
        // Only between requests: a retry stays where its failure sent it.
        const requestStart = ticket.slot === undefined && failedAttempts === 0;
        const slot = await this.route(ticket, signal, lastError, requestStart);
        step.provider = slot.name;
        step.model = slot.modelFor(request.role);
        const outcome = await this.attempt(slot, request, estimate, signal);
        if (outcome === 'unavailable') continue;
        if (outcome.ok) {
          step.reply = outcome.result.text;
          return outcome.result;
        }
        failedAttempts += 1;
        lastError = outcome.error;
        await this.afterFailure(slot, request, outcome, failedAttempts, signal);
      }
    } finally {
      if (ticket.slot !== undefined) ticket.slot.outstanding -= 1;
    }
  }

  /**
   * Home again at the start of a request once it has recovered (see ProviderRouter.recoveredHome),
   * else the own provider if it takes work, else a switch to the best other, else wait for one to
   * come back. The choice is counted on the slot before this returns (synchronously when no wait
   * is needed), so conversations started in the same tick see each other and spread out.
   */
  private async route(
    ticket: Ticket,
    signal: AbortSignal,
    lastError: ProviderError | undefined,
    requestStart: boolean,
  ): Promise<ProviderSlot> {
    for (;;) {
      const home = requestStart ? this.recoveredHome() : undefined;
      const choice = home ?? this.context.router.choose(this.current);
      if (choice === 'none') throw lastError ?? this.noProviderError();
      if (choice === 'wait') {
        try {
          await this.context.router.waitForChange(signal);
        } catch (reason) {
          throw this.abortedOr(reason, signal);
        }
        continue;
      }
      if (this.current !== undefined && choice.name !== this.current) {
        this.switchList.push({
          from: this.current,
          to: choice.name,
          reason: home === undefined ? this.context.router.unavailableReason(this.current) : homeReason(home),
          at: new Date(this.context.now()).toISOString(),
        });
      }
      this.current = choice.name;
      this.home ??= choice.name;
      if (ticket.slot !== choice) {
        if (ticket.slot !== undefined) ticket.slot.outstanding -= 1;
        choice.outstanding += 1;
        ticket.slot = choice;
      }
      return choice;
    }
  }

  private recoveredHome(): ProviderSlot | undefined {
    if (this.home === undefined || this.current === undefined || this.home === this.current) return undefined;
    return this.context.router.recoveredHome(this.home, this.current);
  }

  private async attempt(
    slot: ProviderSlot,
    request: RoleRequest,
    estimate: TokenEstimate,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    // Looked up before anything is held: a role the pipeline never declared throws here, leaking nothing.
    const model = slot.modelFor(request.role);
    const hold = holdBudget(this.context.budget, slot, model, estimate);
    if (hold === 'unavailable') return 'unavailable';
    let lease;
    try {
      lease = await slot.acquire(estimate.inputTokens + estimate.outputTokens, signal, this.seniority);
    } catch (error) {
      hold.settle(undefined);
      if (error instanceof SlotUnavailableError) return 'unavailable';
      throw this.abortedOr(error, signal);
    }
    this.context.emit({ type: 'request-start', provider: slot.name, role: request.role });
    let result: ChatResult;
    try {
      result = await callWithDeadline(
        slot.provider,
        {
          model,
          messages: request.messages,
          temperature: request.temperature,
          topP: request.topP,
          maxTokens: request.maxTokens,
          stop: request.stop,
          timeoutMs: slot.timeoutMs,
          ...slot.silence.limits(),
        },
        signal,
        this.context.sleep,
      );
    } catch (thrown) {
      const latencyMs = this.context.now() - lease.startedAt;
      const error = this.normalize(thrown, slot.name, signal);
      hold.settle(chargedWhenCutOff(error.kind, estimate));
      slot.finish(lease, { ok: false, error });
      return { ok: false, error, latencyMs };
    }
    const latencyMs = this.context.now() - lease.startedAt;
    slot.silence.observe(result);
    hold.settle(result.usage);
    slot.finish(lease, { ok: true, latencyMs, usage: result.usage, rateLimit: result.rateLimit });
    this.context.emit({
      type: 'request-end',
      provider: slot.name,
      // The configured name, not the one the reply reports: servers answer with dated snapshots or
      // the loaded model's path, and prices and budgets are keyed by what the user configured.
      model,
      role: request.role,
      latencyMs,
      usage: result.usage,
    });
    return { ok: true, result };
  }

  /** Reports the failure and returns when the request may be tried again; throws when it may not. */
  private async afterFailure(
    slot: ProviderSlot,
    request: RoleRequest,
    failure: { readonly error: ProviderError; readonly latencyMs: number },
    failedAttempts: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { error } = failure;
    const attemptsLeft = failedAttempts < this.context.retry.maxAttempts;
    let willRetry = attemptsLeft && error.retryable;
    // The provider is gone (a bad key, or it refused everything), not the request: try it elsewhere.
    const providerGone = error.kind === 'auth' || (error.kind === 'bad_request' && slot.health.phase === 'disabled');
    if (providerGone) willRetry = attemptsLeft && this.context.router.hasUsableProvider();
    this.context.emit({
      type: 'request-error',
      provider: slot.name,
      role: request.role,
      kind: error.kind,
      status: error.status,
      willRetry,
      latencyMs: failure.latencyMs,
    });
    if (!willRetry) throw error;
    if (error.retryAfterMs !== undefined) {
      // The pause lives in the provider's scheduler: this request and every other wait for it there.
      slot.pauseFor(error.retryAfterMs);
      return;
    }
    // A provider that just went down is left at once; waiting would only delay the failover.
    if (!slot.accepting()) return;
    const delay = backoffDelayMs(this.context.retry, failedAttempts, this.context.random);
    try {
      await this.context.sleep(delay, signal);
    } catch (reason) {
      throw this.abortedOr(reason, signal);
    }
    // An injected sleep may resolve rather than reject on abort.
    if (signal.aborted) throw this.abortedError(signal);
  }

  private normalize(thrown: unknown, provider: ProviderName, signal: AbortSignal): ProviderError {
    if (signal.aborted) return this.abortedError(signal);
    if (isProviderError(thrown)) {
      if (thrown.kind !== 'aborted') return thrown;
      // Not our signal, so the adapter gave up on its own (a socket closed under it): a network failure.
      return new ProviderError(thrown.message, { provider, kind: 'network', status: thrown.status, cause: thrown });
    }
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return new ProviderError(`unexpected failure from ${provider}: ${message}`, {
      provider,
      kind: 'malformed',
      cause: thrown,
    });
  }

  /** The aborted error when `signal` aborted (the usual reason a wait rejects), else `reason` itself. */
  private abortedOr(reason: unknown, signal: AbortSignal): unknown {
    return signal.aborted ? this.abortedError(signal) : reason;
  }

  private abortedError(signal: AbortSignal): ProviderError {
    const provider = this.current ?? this.context.router.slots[0]?.name ?? 'openai_compatible';
    const message = this.context.closed.aborted ? 'dispatcher closed' : 'request aborted by the caller';
    return new ProviderError(message, { provider, kind: 'aborted', cause: signal.reason });
  }

  private noProviderError(): ProviderError {
    const provider = this.current ?? this.context.router.slots[0]?.name ?? 'openai_compatible';
    const reasons = this.context.router.slots.map((slot) => `${slot.name}: ${slot.health.describe()}`).join('; ');
    return new ProviderError(`every provider is disabled (${reasons}); check the API keys, models and base URLs in data/secrets.json`, {
      provider,
      kind: 'auth',
    });
  }
}

function homeReason(home: ProviderSlot): string {
  return home.health.phase === 'active' ? HOME_RECOVERED : HOME_PROBED;
}

/** Aborts `controller` when any source aborts; returns the function that detaches the listeners. */
function linkAbort(controller: AbortController, ...sources: ReadonlyArray<AbortSignal | undefined>): () => void {
  const detachers: Array<() => void> = [];
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    detachers.push(() => source.removeEventListener('abort', onAbort));
  }
  return () => {
    for (const detach of detachers) detach();
  };
}

/**
 * What a failed request counts against a monthly budget. One we aborted once it was sent (a drain,
 * a sibling rewrite's failure, a spare stopped at the target) may have been generated and billed in
 * full: it keeps its whole reservation, so a budget is never overshot by what the ledger could not
 * see. Any other failure is refunded: a 429, a 5xx or an auth error was refused, a refused
 * connection never arrived, and a timeout, although a stalled stream may have been billed, is as
 * often a server that never answered, retried up to six times, and charging each would spend a
 * budget on an outage.
 */
function chargedWhenCutOff(kind: ProviderErrorKind, estimate: TokenEstimate): Usage | undefined {
  return kind === 'aborted' ? { inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens, estimated: true } : undefined;
}
