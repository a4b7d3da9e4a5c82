/**
 * Defects on demand: the scripted model writes, at a set rate, each kind of bad training example
 * the validator must catch (issue 11), so a run can check that every one is labelled with its
 * code and lands in the right file. Unlike faults, a defect is a well-formed answer.
 */
import type { Random } from '../core/random.js';
import { isOpening, type ScriptContext } from './script-context.js';

/** Probabilities per request, each in [0, 1]; the assistant's four are exclusive of one another. */
export interface EmulatorDefects {
  /** Ada's reply without its `<think>` block (validator: `missing-think`). @default 0 */
  readonly noThink?: number;
  /** Ada refuses: "I'm sorry, but I can't help with that." (validator: `refusal`). @default 0 */
  readonly refusal?: number;
  /**
   * The tester opens with the opening of an earlier conversation (one at least
   * `DUPLICATE_MIN_AGE_MS` old, so it is likely saved by then); Ada's scripted replies, which follow
   * from what she is asked, then repeat that conversation's (validator: `near-duplicate`). @default 0
   */
  readonly duplicate?: number;
  /** Ada calls `add_memory` with arguments that break its schema (validator: `tool-arguments-invalid`). @default 0 */
  readonly badArguments?: number;
  /**
   * Ada writes her reasoning and no reply: the pipeline retries it once and abandons the
   * conversation when it happens twice (rejects.jsonl, reason `empty_reply`). @default 0
   */
  readonly emptyReply?: number;
}

export const DEFECT_KINDS = ['noThink', 'refusal', 'duplicate', 'badArguments', 'emptyReply'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

/** The assistant's defects, drawn from one number: their rates share it, so they add up to at most 1. */
export const ASSISTANT_DEFECTS = ['noThink', 'refusal', 'badArguments', 'emptyReply'] as const;

/** An opening is replayed only once it is this old: its conversation has most likely been saved. */
export const DUPLICATE_MIN_AGE_MS = 1_500;
const OPENINGS_KEPT = 500;
const TOOL_RESULT = /<tool_response>/i;

/**
 * The defect of one request, if any. Two numbers are drawn whenever any defect is configured, so
 * the same seed replays the same defects request by request; none when none is configured.
 */
export function drawDefect(random: Random, defects: EmulatorDefects, role: string, context: ScriptContext): DefectKind | undefined {
  if (!DEFECT_KINDS.some((kind) => (defects[kind] ?? 0) > 0)) return undefined;
  const assistantDraw = random();
  const testerDraw = random();
  if (role === 'tester') return isOpening(context) && testerDraw < (defects.duplicate ?? 0) ? 'duplicate' : undefined;
  if (role !== 'assistant') return undefined;
  let threshold = 0;
  for (const kind of ASSISTANT_DEFECTS) {
    threshold += defects[kind] ?? 0;
    if (assistantDraw < threshold) {
      // A bad call is made when Ada answers the user, not right after her tool results: a second
      // call round could exceed the pipeline's round limit and turn the defect into a discard.
      return kind === 'badArguments' && isAfterToolResults(context) ? undefined : kind;
    }
  }
  return undefined;
}

function isAfterToolResults(context: ScriptContext): boolean {
  return context.messages.at(-1)?.role === 'tool' || TOOL_RESULT.test(context.lastUserText);
}

/** Ada's scripted reply turned into the defect. */
export function applyAssistantDefect(kind: Exclude<DefectKind, 'duplicate'>, text: string): string {
  const reasoning = /<think>[\s\S]*?<\/think>/.exec(text)?.[0] ?? '<think>The user wants an answer.</think>';
  switch (kind) {
    case 'noThink':
      return text.replace(/<think>[\s\S]*?<\/think>\s*/, '').trim() || 'Sure, here it is.';
    case 'refusal':
      return `<think>This is not something I will do.</think>\n\nI'm sorry, but I can't help with that.`;
    case 'badArguments':
      // `input_text` must be a list of strings; a number is what a careless model writes.
      return `${reasoning}\n\nLet me note that.\n<tool_call>\n{"name": "add_memory", "arguments": {"input_text": 42}}\n</tool_call>`;
    case 'emptyReply':
      return reasoning;
  }
}

/**
 * Openings the tester wrote, for the duplicate defect: one list for the whole emulator, so a
 * conversation on one provider can repeat one from another, bounded so a long run holds no more
 * than `OPENINGS_KEPT`.
 */
export class OpeningMemory {
  readonly #openings: { readonly text: string; readonly at: number }[] = [];

  remember(text: string, at: number): void {
    this.#openings.push({ text, at });
    if (this.#openings.length > OPENINGS_KEPT) this.#openings.shift();
  }

  /** One old enough to replay, chosen at random; undefined when none is. */
  pick(random: Random, now: number): string | undefined {
    const old = this.#openings.filter((opening) => now - opening.at >= DUPLICATE_MIN_AGE_MS);
    return old.length === 0 ? undefined : old[Math.floor(random() * old.length)]?.text;
  }
}
