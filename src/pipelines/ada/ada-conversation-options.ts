import { ConfigError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import { TurnPlanner } from './turn-planner.js';
import type { Sampling } from '../../core/types.js';
import type { ToolCatalogue, ToolSchema } from '../../format/index.js';
import { ADA_TOOL_CATALOGUE, ADA_TOOL_SCHEMAS } from '../../tools/index.js';
import type { McpTools } from '../../tools/mcp/index.js';
import { ADA_DEFAULT_SAMPLING, ADA_ROLE_NAMES, type AdaRole } from './ada-roles.js';
import type { Prompts } from './load-prompts.js';
import type { ConversationToolStore } from './run-tool-round.js';
import type { UserPool } from './user-pool.js';
import type { JudgeSettings } from './judge-conversation.js';

/** Sampling of one role's requests; a reply cut off at `maxTokens` is retried once, then discarded. */
export type RoleSampling = Sampling;

export interface AdaConversationOptions {
  readonly prompts: Prompts;
  /** Where Ada's memory and diary live; rows are scoped to the leased simulated user. */
  readonly toolStore: ConversationToolStore;
  /** Leases one simulated user per conversation; never one user in two conversations at once. */
  readonly userPool: UserPool;
  /** Seeded source for the topic and the number of exchanges. */
  readonly random: Random;
  /** User/assistant exchanges per conversation, both inclusive. @default { min: 1, max: 3 } */
  readonly turns?: { readonly min: number; readonly max: number };
  /**
   * Tool rounds per assistant turn. A reply that still calls tools when they are used up is
   * discarded (`invalid_output`): a saved call must always be followed by its result. @default 3
   */
  readonly maxToolRounds?: number;
  /** Rewrite each `<think>` block with the rewriter model (`--no-rewrite` sets false). @default true */
  readonly rewrite?: boolean;
  /** Recorded in the metadata, so offline runs are never mistaken for real data. @default false */
  readonly dryRun?: boolean;
  /** Per-role sampling, merged over the defaults. @default DEFAULT_SAMPLING */
  readonly sampling?: Partial<Record<AdaRole, RoleSampling>>;
  /**
   * Tools from MCP servers, offered beside her memory and diary (`--mcp-config`); each
   * conversation gets its own sandbox of them. @default none
   */
  readonly mcp?: McpTools;
  /** Score each finished conversation with the `judge` role (`--judge`). @default off */
  readonly judge?: JudgeSettings;
  /** Keep each message's request and the reasoning the rewriter replaced in `annotations` (`--annotate`). @default false */
  readonly annotate?: boolean;
}

/** Her conversation's three roles' defaults, from ADA_DEFAULT_SAMPLING (the judge's reaches it through JudgeSettings.sampling). */
export const DEFAULT_SAMPLING: Readonly<Record<AdaRole, RoleSampling>> = Object.freeze({
  tester: ADA_DEFAULT_SAMPLING.tester,
  assistant: ADA_DEFAULT_SAMPLING.assistant,
  rewriter: ADA_DEFAULT_SAMPLING.rewriter,
});

export interface ResolvedAdaOptions {
  readonly prompts: Prompts;
  readonly toolStore: ConversationToolStore;
  readonly userPool: UserPool;
  readonly random: Random;
  /** Draws `--turns` for each conversation, the shortest last in a run (see TurnPlanner). */
  readonly turnPlanner: TurnPlanner;
  readonly maxToolRounds: number;
  readonly rewrite: boolean;
  readonly dryRun: boolean;
  readonly sampling: Readonly<Record<AdaRole, RoleSampling>>;
  readonly mcp: McpTools | undefined;
  /** Her system prompt: `ada.md`, and the MCP servers' tools after it when there are any. */
  readonly systemPrompt: string;
  /** Every tool she is offered: what her calls are parsed against, and `metadata.tools`. */
  readonly catalogue: ToolCatalogue;
  readonly toolSchemas: readonly ToolSchema[];
  readonly judge: JudgeSettings | undefined;
  readonly annotate: boolean;
}

function describe(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

function checkInteger(name: string, value: unknown, minimum: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`Expected \`${name}\` to be a whole number >= ${minimum}, got ${describe(value)}`);
  }
}

/** Validates once at construction, with messages that say what was expected. */
export function resolveAdaOptions(options: AdaConversationOptions): ResolvedAdaOptions {
  const turns = options.turns ?? { min: 1, max: 3 };
  checkInteger('turns.min', turns.min, 1);
  checkInteger('turns.max', turns.max, turns.min);
  const maxToolRounds = options.maxToolRounds ?? 3;
  checkInteger('maxToolRounds', maxToolRounds, 0);
  const sampling = Object.fromEntries(
    ADA_ROLE_NAMES.map((role) => [role, { ...DEFAULT_SAMPLING[role], ...options.sampling?.[role] }]),
  ) as Record<AdaRole, RoleSampling>;
  return Object.freeze({
    prompts: options.prompts,
    toolStore: options.toolStore,
    userPool: options.userPool,
    random: options.random,
    turnPlanner: new TurnPlanner(options.random, turns),
    maxToolRounds,
    rewrite: options.rewrite ?? true,
    dryRun: options.dryRun ?? false,
    sampling,
    mcp: options.mcp,
    systemPrompt: options.mcp === undefined ? options.prompts.ada : `${options.prompts.ada.trimEnd()}\n\n${mcpToolsSection(options.mcp)}`,
    catalogue: options.mcp === undefined ? ADA_TOOL_CATALOGUE : combineCatalogues(ADA_TOOL_CATALOGUE, options.mcp.catalogue),
    toolSchemas: options.mcp === undefined ? ADA_TOOL_SCHEMAS : [...ADA_TOOL_SCHEMAS, ...options.mcp.schemas],
    judge: options.judge,
    annotate: options.annotate ?? false,
  });
}

/** Appended to `ada.md`: the servers' tools in Hermes form, called as she calls her own. */
function mcpToolsSection(mcp: McpTools): string {
  return [
    '## More tools',
    '',
    'You also have these tools, called the same way, one `<tool_call>` per call:',
    '',
    mcp.toolsBlock,
  ].join('\n');
}

/** Her own tools first: a name both had would be hers (MCP names carry their server's prefix). */
function combineCatalogues(own: ToolCatalogue, extra: ToolCatalogue): ToolCatalogue {
  return Object.freeze({
    parameters: (name: string) => own.parameters(name) ?? extra.parameters(name),
    signatures: `${own.signatures}, ${extra.signatures}`,
    example: own.example,
  });
}
