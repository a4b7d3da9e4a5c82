/**
 * The pipeline contract (DESIGN.md decision 8): what every generation pipeline declares and does,
 * so the CLI, the runner, the dispatcher, the store and stats serve any of them. A pipeline lives
 * in its own folder under src/pipelines/ and is listed on one line of registry.ts.
 */
import type { Logger } from 'pino';
import type { ModelRequester, ModelRoleDeclaration, RoleSamplings } from '../core/types.js';
import type { McpServers } from '../tools/mcp/index.js';
import type { SavedConversation, ToolSchema } from '../format/index.js';

/** A `generate` flag that takes a value (`--turns 1-3`). */
export interface ValueOption<Value> {
  /** The flag without its dashes: `max-tool-rounds`. */
  readonly flag: string;
  /** What the value looks like in `--help`: `N`, `MIN-MAX`, `PATH`. */
  readonly valueName: string;
  readonly help: string;
  /** The value when the flag is absent. */
  readonly default: Value;
  /** Shown as `(default: …)` in `--help`; absent: no default is shown. */
  readonly defaultText?: string;
  /** The flag's text to its value; a ConfigError saying what was expected when it cannot. */
  parse(text: string): Value;
}

/** A `generate` flag that takes no value (`--no-rewrite`). */
export interface SwitchOption<Value> {
  readonly flag: string;
  readonly help: string;
  readonly default: Value;
  /** The value when the flag is given. */
  readonly whenGiven: Value;
}

export type PipelineOption<Value> = ValueOption<Value> | SwitchOption<Value>;

/** One declaration per property of a pipeline's options: the CLI's flags and `--help` come from these. */
export type PipelineOptions<Options> = { readonly [Key in keyof Options]: PipelineOption<Options[Key]> };

/** What a pipeline knows when it is prepared, before anything is written. */
export interface PrepareContext {
  readonly cwd: string;
  /** `--seed`: a pipeline's random choices come from it, so a restart makes the same ones. */
  readonly seed: number;
  /** `--offline`: recorded in what it saves, so a dry run is never mistaken for real data. */
  readonly dryRun: boolean;
  /** MCP servers the user configured (`mcpServers` in secrets.json, `--mcp-config`); empty when none. */
  readonly mcpServers?: McpServers;
  /**
   * Per role asked this run: `sampling.<role>` in secrets.json over the role's `defaultSampling`
   * (`Configuration.sampling`). Read it with `samplingOf`. @default each role's `defaultSampling`
   */
  readonly sampling?: RoleSamplings;
}

/** What a pipeline declares it was made from (see `PreparedPipeline.inputs`). */
export interface PipelineInputs {
  /** A display name per input file (`systemprompts/ada.md`) and the SHA-256 of its bytes, as read at prepare. */
  readonly files: Readonly<Record<string, string>>;
  /** The sampling in effect per role (after flags), as plain JSON: a field not set is absent, never null. */
  readonly sampling?: Readonly<Record<string, unknown>>;
}

/** What a pipeline's resources are opened (and recovered) with, once the output is open. */
export interface ResourceContext {
  /** The run's data directory: where a pipeline keeps what lasts between runs (Ada's tools.db). */
  readonly dataDir: string;
  readonly logger: Logger;
  /** Conversations the output already holds. */
  readonly alreadySaved: number;
  /** Whether the output holds this conversation: what a crash left half done is settled against it. */
  isSaved(conversationId: string): boolean;
  /** The output file, its torn tail already cut: what a pipeline steering by what is saved reads at start (Ada's --tool-share). */
  readonly output?: string;
}

/**
 * A pipeline with its options read and checked. `recover` runs at every start, also when the
 * target is already reached; `open` only when there is work to do.
 */
export interface PreparedPipeline {
  /**
   * What the pipeline's output depends on besides the models: the runner records it in the
   * manifest beside the output and warns when a resumed run's inputs differ. Absent: the manifest
   * records models only.
   */
  readonly inputs?: PipelineInputs;
  /** Settles what a crash left behind (side effects of conversations never saved); creates nothing. */
  recover?(context: ResourceContext): void | Promise<void>;
  /** Opens the pipeline's resources for a run; recovers first, as `recover` does. */
  open(context: ResourceContext): OpenedPipeline | Promise<OpenedPipeline>;
}

/** What a pipeline gets for one conversation. */
export interface PipelineContext {
  readonly conversationId: string;
  readonly requester: ModelRequester;
  /** Aborted at the conversation's deadline (a TimeoutError), or when a shutdown's grace period ends. */
  readonly signal: AbortSignal;
  /** Wall clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /**
   * Conversations the run will certainly start after this one: what the target needs beyond those
   * in flight, this one included (a replacement for one that fails is a start of its own, counted
   * when it is needed). A pipeline may order its work by it (Ada starts her shortest conversations
   * last). @default unknown
   */
  readonly startsLeft?: number;
  /**
   * Conversations in flight when this one started, itself included: how many end together at the
   * end of the run (Ada holds back twice as many short conversations for it). @default unknown
   */
  readonly inFlightAtStart?: number;
  /**
   * The same count read now, as the run goes on: 0 once the run will start no more conversations,
   * when those in flight are all that is left and finishing each sooner is worth more requests at
   * once (Ada asks all of a conversation's rewrites together then). @default unknown
   */
  readonly startsLeftNow?: () => number;
}

/**
 * One finished conversation and its side effects, not yet final. The runner alone settles it: it
 * calls `commit` once the saved line is fsynced, `rollback` when the line was not written (a
 * duplicate id, a full disk). Exactly one of the two is called, once.
 */
export interface UnitOfWork {
  readonly conversation: SavedConversation;
  /** The tool calls it made, for the run's stats; absent for a pipeline without tools. */
  readonly toolCalls?: readonly { readonly name: string; readonly ok: boolean }[];
  /** Makes the side effects final and frees what the conversation held (Ada: its simulated user). */
  commit(): void;
  /** Undoes the side effects and frees what the conversation held. */
  rollback(): void;
}

/** A pipeline ready to run conversations, its resources open. */
export interface OpenedPipeline {
  /**
   * Never more conversations in flight than this (Ada: the simulated-user pool: a conversation
   * waiting for a free user would only hold a slot). @default no limit of the pipeline's own
   */
  readonly capacity?: number;
  /**
   * One conversation as a unit of work, or a throw: a `ConversationDiscarded` with the pipeline's
   * own reason, a ProviderError, or an abort. A run that throws has already undone its own side
   * effects: there is no unit to roll back.
   */
  run(context: PipelineContext): Promise<UnitOfWork>;
  close(): void | Promise<void>;
  /**
   * The tools the model is offered this run, built in and from MCP servers: the manifest records a
   * fingerprint of each, since a server that now offers other tools changes the data as a prompt
   * does. @default none recorded
   */
  readonly tools?: readonly ToolSchema[];
}

/**
 * A generation pipeline. `Options` are its own flags' values; `roles` decide which models every
 * provider must name (with the defaults here when secrets.json names none).
 */
export interface PipelineDefinition<Options = Record<string, unknown>> {
  /** `--pipeline NAME`; also written to every saved line's metadata. */
  readonly name: string;
  /** Bumped whenever the shape or meaning of what the pipeline saves changes. */
  readonly version: string;
  /** One line for `--help` and the list of known pipelines. */
  readonly description: string;
  readonly roles: readonly ModelRoleDeclaration[];
  /** Roles these options leave unasked (a flag-gated role that is off): no model is resolved or priced for them. @default none */
  unusedRoles?(options: Options): readonly string[];
  readonly options: PipelineOptions<Options>;
  /** Its output's file name under `<data-dir>/trainingData/` (invalid examples go beside it, `_invalid`). @default conversations.jsonl */
  readonly outputFileName?: string;
  /** Reads what the pipeline needs before anything is written (prompts, a users file): a ConfigError when it cannot. */
  prepare(options: Options, context: PrepareContext): PreparedPipeline;
}

export function isSwitch<Value>(option: PipelineOption<Value>): option is SwitchOption<Value> {
  return 'whenGiven' in option;
}
