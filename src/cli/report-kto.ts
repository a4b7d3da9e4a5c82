import type { Writable } from 'node:stream';
import type { KtoExportSummary, KtoSideSummary } from '../store/index.js';

/** What a KTO export wrote and, side by side, what it left out and why. */
export function reportKto(summary: KtoExportSummary, includeDryRun: boolean, stdout: Writable, stderr: Writable): void {
  const { desirable, undesirable } = summary;
  stdout.write(
    `Exported ${summary.exported} KTO examples to ${summary.outputPath}: ${desirable.written} labelled true, ${undesirable.written} labelled false, interleaved\n`,
  );
  for (const [name, side] of [['true', desirable], ['false', undesirable]] as const) {
    const left = describeLeftOut(side, includeDryRun);
    if (left.length > 0) stderr.write(`  ${name} (${side.path}): ${left.join('; ')}\n`);
  }
  if (summary.exported === 0) {
    stderr.write('Warning: nothing was exported: KTO needs examples of both labels (valid conversations in the input, invalid ones beside it).\n');
  }
  stdout.write(`Load it with: datasets.load_dataset("json", data_files=${JSON.stringify(summary.outputPath)}) and pass it to trl.KTOTrainer\n`);
}

function describeLeftOut(side: KtoSideSummary, includeDryRun: boolean): string[] {
  const parts: string[] = [];
  if (side.droppedToBalance > 0) parts.push(`${side.droppedToBalance} dropped to balance the labels`);
  if (side.unusable > 0) parts.push(`${side.unusable} unusable (not a saved conversation, or no reply after the last user message)`);
  if (side.filteredOut > 0) parts.push(`${side.filteredOut} left out by --where/--with-tools`);
  if (side.dryRunLeftOut > 0 && !includeDryRun) parts.push(`${side.dryRunLeftOut} dry-run conversation(s) left out (add --include-dry-run)`);
  return parts;
}
