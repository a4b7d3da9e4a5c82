/**
 * Every conversation Ada finishes is judged before it is saved (issue 11): its `label` and
 * `report.issues` come from `src/validate`, with her own tools as the catalogue and the run's
 * near-duplicate index to compare against. A conversation labelled false still ends in a file (the
 * runner puts it in `<output>_invalid.jsonl`, a negative example), but not in the dataset, so its
 * tool rows are undone once that line is written: a user's memories are those of the conversations
 * the output holds, which is also what crash recovery restores. Only valid conversations join the
 * index, and only once their line is fsynced (`commit`), so a rolled-back one never hides a later one.
 */
import type { ToolSchema } from '../../format/index.js';
import { ADA_TOOL_SCHEMAS } from '../../tools/index.js';
import { labelFor, nearDuplicateText, validateConversation, type NearDuplicateIndex } from '../../validate/index.js';
import type { UnitOfWork } from '../contract.js';

/** `tools`: every tool she was offered (her own, and those of MCP servers when configured). */
export function labelUnitOfWork(unit: UnitOfWork, nearDuplicates: NearDuplicateIndex | undefined, tools: readonly ToolSchema[] = ADA_TOOL_SCHEMAS): UnitOfWork {
  const validation = validateConversation(unit.conversation, {
    tools,
    ...(nearDuplicates === undefined ? {} : { nearDuplicates }),
  });
  // The judge's verdict and issues (--judge), made before labelling, are kept beside the validator's.
  const judged = unit.conversation.report;
  const issues = [...validation.report.issues, ...(judged?.issues ?? [])];
  const label = labelFor(issues);
  const report = { issues, ...(judged?.judge === undefined ? {} : { judge: judged.judge }) };
  const conversation = { ...unit.conversation, label, report };
  return {
    ...unit,
    conversation,
    commit: () => {
      if (!label) return unit.rollback();
      unit.commit();
      nearDuplicates?.add(conversation.id, nearDuplicateText(conversation));
    },
  };
}
