/**
 * `--tool-share` around Ada's conversations: the tally a resumed run starts from is read from the
 * output itself (as the run counts what is done), each conversation gets its plan before it
 * starts, and the plan is settled with what became of the conversation.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { forEachLine, parseJsonLine } from '../../core/json-lines.js';
import type { SavedConversation } from '../../format/index.js';
import type { PipelineContext, UnitOfWork } from '../contract.js';
import type { ToolPlan } from './conversation-topics.js';
import { ToolShareSteering, type ToolShareTally } from './tool-share-steering.js';

/** Whether a conversation made at least one tool call, however it went: what the share and the report count. */
export function usesTools(conversation: SavedConversation): boolean {
  const calls = conversation.metadata['toolCalls'];
  return Array.isArray(calls) && calls.length > 0;
}

/** `metadata.toolShare`: the target the run aimed at and this conversation's plan. */
export interface ToolShareRecord {
  readonly target: number;
  readonly plan: ToolPlan;
}

const savedLineSchema = z.object({
  id: z.string(),
  metadata: z.object({
    toolCalls: z.array(z.unknown()).optional().catch(undefined),
    toolShare: z.object({ plan: z.enum(['tools', 'no-tools']) }).optional().catch(undefined),
  }),
});

export interface OutputTally extends ToolShareTally {
  /** Lines that could not be read as a saved conversation: left out of the share. */
  readonly unreadable: number;
}

/**
 * Reads the output a line at a time (its torn tail was cut when the store opened it). A missing
 * file is an empty output. Conversations are counted as the store counts them toward the target:
 * a line repeating an earlier id once, a line without an id not at all (it is unreadable here).
 */
export async function tallyOutput(file: string): Promise<OutputTally> {
  const tally = { saved: 0, withTools: 0, unreadable: 0, adherence: { tools: { planned: 0, used: 0 }, 'no-tools': { planned: 0, used: 0 } } };
  if (!existsSync(file)) return tally;
  const seen = new Set<string>();
  await forEachLine(file, (line) => {
    const json = parseJsonLine(line);
    const parsed = json.ok ? savedLineSchema.safeParse(json.value) : undefined;
    if (parsed === undefined || !parsed.success) {
      tally.unreadable++;
      return;
    }
    if (seen.has(parsed.data.id)) return;
    seen.add(parsed.data.id);
    const { toolCalls, toolShare } = parsed.data.metadata;
    const used = (toolCalls?.length ?? 0) > 0;
    tally.saved++;
    if (used) tally.withTools++;
    if (toolShare !== undefined) {
      tally.adherence[toolShare.plan].planned++;
      if (used) tally.adherence[toolShare.plan].used++;
    }
  });
  return tally;
}

/** Runs one conversation with the plan it is given. */
export type PlannedRun = (context: PipelineContext, plan: ToolPlan | undefined) => Promise<UnitOfWork>;

/**
 * Each conversation is planned as it starts and settled exactly once: saved when its line is
 * committed with a true label (an invalid one is not in the output), not saved when it is rolled
 * back or never finishes.
 */
export function steerToolShare(steering: ToolShareSteering, run: PlannedRun): (context: PipelineContext) => Promise<UnitOfWork> {
  return async (context) => {
    const plan = steering.assign();
    let unit: UnitOfWork;
    try {
      unit = await run(context, plan);
    } catch (error) {
      steering.settle(plan, { saved: false });
      throw error;
    }
    let settled = false;
    const settle = (saved: boolean): void => {
      if (settled) return;
      settled = true;
      steering.settle(plan, saved ? { saved: true, usedTools: usesTools(unit.conversation) } : { saved: false });
    };
    return {
      ...unit,
      commit: () => {
        unit.commit();
        settle(unit.conversation.label !== false);
      },
      rollback: () => {
        try {
          unit.rollback();
        } finally {
          settle(false);
        }
      },
    };
  };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The share the output holds, in words: logged at start and when the run closes. */
export function describeToolShare(steering: ToolShareSteering): string {
  const { saved, withTools } = steering.tally;
  const reached = saved === 0 ? 'nothing saved yet' : `${withTools} of ${saved} saved conversations use tools (${percent(withTools / saved)})`;
  return `tool share: ${reached}; target ${percent(steering.target)} (--tool-share ${steering.target})`;
}

/** Below this many conversations of a plan, its rate says more about chance than about the model. */
const ENOUGH_TO_JUDGE = 20;

/**
 * Why the share is off target when the model, not the plans, holds it there: Ada calls tools in
 * conversations planned without them at least as often as the target (or skips them in those
 * planned with them). Undefined when the target is within reach or it is too early to tell.
 */
export function outOfReach(steering: ToolShareSteering): string | undefined {
  const { adherence } = steering.tally;
  const target = steering.target;
  const without = adherence['no-tools'];
  if (without.planned >= ENOUGH_TO_JUDGE && without.used / without.planned > target) {
    return `the target ${percent(target)} is out of reach of this model: ${without.used} of ${without.planned} conversations planned without tools used them anyway (${percent(without.used / without.planned)}); the plans are "no tools" and the share stays above the target`;
  }
  const withTools = adherence.tools;
  if (withTools.planned >= ENOUGH_TO_JUDGE && withTools.used / withTools.planned < target) {
    return `the target ${percent(target)} is out of reach of this model: only ${withTools.used} of ${withTools.planned} conversations planned with tools used them (${percent(withTools.used / withTools.planned)}); the plans are "tools" and the share stays below the target`;
  }
  return undefined;
}

/** What the run says when it stops: the share reached, and a warning when the model keeps it off target. */
export function logToolShareAtClose(steering: ToolShareSteering, logger: Logger): void {
  logger.info({ target: steering.target, ...steering.tally }, describeToolShare(steering));
  const reason = outOfReach(steering);
  if (reason !== undefined) logger.warn({ target: steering.target, adherence: steering.tally.adherence }, reason);
}

/** The steering of a run with `--tool-share`, started from what the output holds. */
export async function openToolShare(target: number, output: string | undefined, logger: Logger): Promise<ToolShareSteering> {
  const tally = output === undefined ? undefined : await tallyOutput(output);
  const steering = new ToolShareSteering(target, tally);
  if (tally !== undefined && tally.unreadable > 0) {
    logger.warn({ output, unreadable: tally.unreadable }, `${tally.unreadable} line(s) of ${output} could not be read; the tool share leaves them out`);
  }
  logger.info({ target, saved: steering.tally.saved, withTools: steering.tally.withTools }, describeToolShare(steering));
  return steering;
}
