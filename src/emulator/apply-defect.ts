import { applyAssistantDefect, drawDefect, type DefectKind } from './defects.js';
import type { ChatEnvironment } from './handle-chat-completion.js';
import type { ProviderState } from './provider-state.js';
import { isOpening, type ScriptContext } from './script-context.js';
import type { ScriptedReply } from './scripted-model.js';

/**
 * The scripted reply, turned into a defect when one is drawn (the caller asks only when no model
 * fault already spoiled the answer: one misbehaviour per answer). Every opening the tester writes
 * is remembered while the duplicate defect is on, so a later conversation can repeat it.
 */
export function withDefect(
  state: ProviderState,
  environment: ChatEnvironment,
  role: string,
  context: ScriptContext,
  written: ScriptedReply,
): { readonly reply: ScriptedReply; readonly defect: DefectKind | undefined } {
  const { defects } = state.options;
  const defect = drawDefect(state.defectRandom, defects, role, context);
  if (defect === 'duplicate') {
    const earlier = environment.openings.pick(state.defectRandom, environment.now());
    if (earlier !== undefined) return { reply: { text: earlier, finishReason: 'stop' }, defect };
  } else if (defect !== undefined) {
    return { reply: { text: applyAssistantDefect(defect, written.text), finishReason: 'stop' }, defect };
  }
  if ((defects.duplicate ?? 0) > 0 && role === 'tester' && isOpening(context)) environment.openings.remember(written.text, environment.now());
  return { reply: written, defect: undefined };
}
