/**
 * The core vocabulary of nightshift. Every module may import from `src/core/`; nothing in
 * `src/core/` imports from anywhere else in `src/`.
 */

/** The kinds of provider nightshift has an adapter for: one SDK and wire protocol each. */
export const PROVIDER_TYPES = ['mistral', 'together', 'huggingface', 'openai_compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/**
 * The name of one provider instance: a type with its own key, base URL, limits, health, monthly
 * budget and stats. Routing, logs, the progress record and the spend ledger all go by it. The
 * classic secrets.json configures one instance per type, named after the type (`together`);
 * `providers.<name>` entries add any number more (`together-b`, `vllm-2`).
 */
export type ProviderName = string;

/**
 * A job a model does for a pipeline (Ada's are `tester`, `assistant` and `rewriter`). Roles are
 * not a closed list: the selected pipeline declares its own, and each provider names a model for
 * every one of them.
 */
export type ModelRole = string;
/** One model per role of the selected pipeline. */
export type RoleModels = Readonly<Record<ModelRole, string>>;

/** One role as a pipeline declares it, with the model each provider uses unless configured otherwise. */
export interface ModelRoleDeclaration {
  readonly name: ModelRole;
  /** One line for error messages and docs: what the model does in this role. */
  readonly description: string;
  /** The default model per provider; a provider missing here must name one in `providers.<name>.models.<role>`. */
  readonly defaultModels: Readonly<Partial<Record<ProviderType, string>>>;
  /** How its requests are sampled unless `sampling.<role>` in secrets.json says otherwise. @default the provider's defaults */
  readonly defaultSampling?: Sampling;
}

/**
 * How one role's requests are sampled. Field names are the request's own, so a pipeline spreads
 * one into a `RoleRequest`; an absent field is left to the provider's default (and stays absent
 * from the manifest, so adding a field to a role never changes the fingerprint of a run without it).
 */
export interface Sampling {
  readonly temperature?: number;
  /** Nucleus sampling: only the tokens within this probability mass are drawn from. */
  readonly topP?: number;
  /** Upper bound on generated tokens. */
  readonly maxTokens?: number;
}

/** The sampling in effect for each role the selected pipeline asks this run. */
export type RoleSamplings = Readonly<Record<ModelRole, Sampling>>;

/** What configuration needs to know of the selected pipeline: its name (for messages) and its roles. */
export interface PipelineRoles {
  readonly pipeline: string;
  readonly roles: readonly ModelRoleDeclaration[];
  /**
   * Roles this run will not ask, because the flag that uses them is off (Ada's `judge` without
   * `--judge`): still accepted in `models`, but given no model, so a price or a default is never
   * demanded for a model nothing calls. @default none
   */
  readonly unused?: readonly ModelRole[];
}

/** A message as sent over the wire: the APIs we target all accept these three roles. */
export interface WireMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** One request to one model of one provider. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly WireMessage[];
  /** @default provider default */
  readonly temperature?: number;
  /** Nucleus sampling (`top_p` on the wire, `topP` in the Mistral SDK). @default provider default */
  readonly topP?: number;
  /** Upper bound on generated tokens. */
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  /** Cancels the HTTP request; the adapter rejects with a ProviderError of kind `aborted`. */
  readonly signal?: AbortSignal;
  /** Outer deadline for the whole request, however steadily it streams; the adapter rejects with kind `timeout` when it passes. */
  readonly timeoutMs?: number;
  /**
   * Longest wait for the first byte of the response body (headers alone do not count): past it the
   * request is hung and fails with kind `timeout`. @default no limit but `timeoutMs`
   */
  readonly firstByteTimeoutMs?: number;
  /**
   * Once the body has started, the longest silence between two pieces of it: past it the stream has
   * stalled and the request fails with kind `timeout`. A reply that keeps arriving is never cut.
   * @default no limit but `timeoutMs`
   */
  readonly idleTimeoutMs?: number;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'error' | 'unknown';

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** True when the provider reported no usage and these are estimated from characters (about four a token). */
  readonly estimated?: boolean;
}

/** Price of one model per million tokens, in one currency for the whole price list. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** One limit a provider reported in its rate-limit headers, in its own window. */
export interface ReportedLimit {
  /** Requests (or tokens) allowed per `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** What is left of it now, when the provider said. */
  readonly remaining?: number;
  /** Until it is whole again, in ms, when the provider said. */
  readonly resetMs?: number;
}

/**
 * What a provider's rate-limit headers said on one answer (success or error), normalized from
 * each provider's names and units. Fields the provider did not send are absent.
 */
export interface RateLimitSnapshot {
  /** Which provider's header names these came from: `openai` (x-ratelimit-*-requests), `together`, `mistral`. */
  readonly style: 'openai' | 'together' | 'mistral';
  readonly requests?: ReportedLimit;
  readonly tokens?: ReportedLimit;
}

/** One normalized reply, whatever SDK produced it. */
export interface ChatResult {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  readonly latencyMs: number;
  /** The instance that answered (`together-b`), not merely its type. */
  readonly provider: ProviderName;
  readonly model: string;
  /** From sending the request to the first byte of the response body, in ms, when the adapter saw it. */
  readonly firstByteMs?: number;
  /** The longest silence between two pieces of the response body after the first, in ms. */
  readonly longestSilenceMs?: number;
  /** The rate-limit headers of the answer, when the adapter saw them and the provider sent some. */
  readonly rateLimit?: RateLimitSnapshot;
}

/** The one interface every provider adapter implements (one SDK each). */
export interface ChatProvider {
  /** The instance the adapter serves: routing, health, pacing and stats go by it. */
  readonly name: ProviderName;
  /**
   * Resolves once the adapter can send (its SDK is loaded); absent when it always can. The
   * dispatcher starts no request on it before, so loading one SDK never holds the other providers.
   */
  readonly ready?: Promise<void>;
  complete(request: ChatRequest): Promise<ChatResult>;
}

/** A request as the pipeline makes it: by role, not by provider or model. */
export interface RoleRequest {
  readonly role: ModelRole;
  readonly messages: readonly WireMessage[];
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  readonly signal?: AbortSignal;
}

/** A record of a conversation moving from one provider to another. */
export interface ProviderSwitch {
  readonly from: ProviderName;
  readonly to: ProviderName;
  readonly reason: string;
  readonly at: string;
}

/**
 * What a pipeline uses to reach models. The dispatcher implements it per conversation: the
 * conversation sticks to one provider and fails over when that provider is down.
 */
export interface ModelRequester {
  complete(request: RoleRequest): Promise<ChatResult>;
  /** Every provider switch made so far for this conversation, oldest first. */
  readonly switches: readonly ProviderSwitch[];
  /**
   * Every request of this conversation so far, oldest first, answered or not: what a reject's
   * provenance is made of. The dispatcher records them; a requester that does not leaves it out.
   */
  readonly steps?: readonly RequestStep[];
}

/** One request of a conversation as a person reproducing it needs it; `reply` is null when none came. */
export interface RequestStep {
  readonly role: ModelRole;
  /** The instance that answered, or the last one tried. */
  readonly provider: ProviderName;
  /** The configured model (empty when the request never reached a provider). */
  readonly model: string;
  readonly request: readonly WireMessage[];
  readonly reply: string | null;
}

/**
 * What a pipeline knows of a conversation it abandons, beyond the requests the dispatcher saw:
 * which of its steps failed and what it was about. Written to `rejects.jsonl` with the steps.
 */
export interface DiscardProvenance {
  /** The pipeline's name for the step that failed (`assistant reply 2`); absent: the last request's role. */
  readonly failedStep?: string;
  /** The simulated user, when the pipeline has one. */
  readonly user?: string;
  readonly topic?: string;
  /** Overrides the error kind the runner derives (`tool_server` for a tool server that failed). */
  readonly errorKind?: string;
}

/**
 * Why a conversation was thrown away instead of saved, counted in stats under this name. An open
 * string: each pipeline owns its reasons (Ada's `tester_broke_role`, say); the runner adds its own
 * (`deadline`, `aborted`, `provider_failure`, `invalid_output`). snake_case by convention.
 */
export type DiscardReason = string;

export class ConversationDiscarded extends Error {
  readonly code = 'CONVERSATION_DISCARDED';
  /** What the pipeline adds to the reject record; the runner writes it with the dispatcher's steps. */
  readonly provenance: DiscardProvenance | undefined;
  constructor(
    readonly reason: DiscardReason,
    message: string,
    options?: { cause?: unknown; provenance?: DiscardProvenance },
  ) {
    super(message, options);
    this.name = 'ConversationDiscarded';
    this.provenance = options?.provenance;
  }

  /** The same discard with `provenance` added (fields already set win: the innermost step knows best). */
  withProvenance(provenance: DiscardProvenance): ConversationDiscarded {
    return new ConversationDiscarded(this.reason, this.message, { cause: this.cause, provenance: { ...provenance, ...this.provenance } });
  }
}

/** Events the dispatcher reports; stats turns them into counters. Names are noun-verb. */
export type DispatchEvent =
  | { readonly type: 'request-start'; readonly provider: ProviderName; readonly role: ModelRole }
  | {
      readonly type: 'request-end';
      readonly provider: ProviderName;
      readonly model: string;
      readonly role: ModelRole;
      readonly latencyMs: number;
      readonly usage: Usage;
    }
  | {
      readonly type: 'request-error';
      readonly provider: ProviderName;
      readonly role: ModelRole;
      readonly kind: ProviderErrorKind;
      readonly status?: number;
      readonly willRetry: boolean;
      readonly latencyMs: number;
    }
  | { readonly type: 'provider-state'; readonly provider: ProviderName; readonly state: ProviderState };

/**
 * The request rate a provider is paced at, as the progress record shows it: the configured rate,
 * or the one the server's headers reported, slowed by what 429s taught (AIMD, learned margin).
 */
export interface ProviderPace {
  /** `requests_per_second` as configured. */
  readonly configuredPerSecond: number;
  /** What starts are spaced for now. */
  readonly currentPerSecond: number;
  /** `headers`: the server reported its limit; `learned`: 429s widened the spacing or cut the rate; else `configured`. */
  readonly source: 'configured' | 'learned' | 'headers';
  /** Extra time the one-second window is stretched by after 429s, in ms (0 when none). */
  readonly marginMs: number;
}

export type ProviderState =
  | { readonly status: 'active' }
  | { readonly status: 'cooling_down'; readonly until: string; readonly reason: string }
  | { readonly status: 'disabled'; readonly reason: string };

export type ProviderErrorKind =
  | 'rate_limit'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'auth'
  | 'bad_request'
  | 'aborted';
