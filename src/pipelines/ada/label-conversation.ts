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
import { labelFor, nearDuplicateText, validateConversation, type NearDuplicateIndex, type ValidationIssue } from '../../validate/index.js';
import type { UnitOfWork } from '../contract.js';

/** `tools`: every tool she was offered (her own, and those of MCP servers when configured). */
export function labelUnitOfWork(unit: UnitOfWork, nearDuplicates: NearDuplicateIndex | undefined, tools: readonly ToolSchema[] = ADA_TOOL_SCHEMAS): UnitOfWork {
  const validation = validateConversation(unit.conversation, {
    tools,
    ...(nearDuplicates === undefined ? {} : { nearDuplicates }),
  });
  return settleByLabel(unit, validation.report.issues, nearDuplicates);
}

/** With `--no-validate` and `--judge`: the judge's issues alone decide the label, settled as a validated one is. */
export function labelFromJudge(unit: UnitOfWork): UnitOfWork {
  return settleByLabel(unit, [], undefined);
}

/**
 * Labels the unit from `issues` and the judge's (`--judge`, made before labelling, kept beside
 * them). An invalid conversation's line goes to the invalid file, so once written its tool rows
 * are undone, as if it had never run.
 */
function settleByLabel(unit: UnitOfWork, issues: readonly ValidationIssue[], nearDuplicates: NearDuplicateIndex | undefined): UnitOfWork {
  const judged = unit.conversation.report;
  const allIssues = [...issues, ...(judged?.issues ?? [])];
  const label = labelFor(allIssues);
  const report = { issues: allIssues, ...(judged?.judge === undefined ? {} : { judge: judged.judge }) };
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
