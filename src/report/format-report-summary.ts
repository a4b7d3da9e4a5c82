/** The few lines `npm run report` prints: enough to decide whether to open report.html. */
import type { QualityReport } from './report-types.js';

const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);

const top = (record: Readonly<Record<string, number>>, shown = 5): string =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .slice(0, shown)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

/** Only for an output made with --tool-share: the share reached against the target, and how each plan turned out. */
function toolShareLine(report: QualityReport): string[] {
  const figures = report.tools.toolShare;
  if (figures === null) return [];
  const { tools, noTools } = figures.byPlan;
  return [
    `Tool share ${percent(figures.reachedShare)} of ${figures.valid} valid conversations (target ${percent(figures.targetShare)}); ` +
      `planned with tools: ${tools.withCalls} of ${tools.conversations} used them, planned without: ${noTools.withCalls} of ${noTools.conversations}`,
  ];
}

export function formatReportSummary(report: QualityReport, files: { readonly json: string; readonly html: string }): string {
  const { counts } = report;
  const issueCounts = Object.fromEntries(Object.entries(report.issues).map(([code, tally]) => [code, tally.errors + tally.warnings]));
  const privateFound = Object.values(report.privateData).reduce((sum, count) => sum + count, 0);
  const lines = [
    `${counts.valid} valid, ${counts.invalid} invalid (validity ${percent(counts.validityRate)}), ${counts.rejected} rejected` +
      (counts.badLines > 0 ? `, ${counts.badLines} unreadable line(s) skipped` : ''),
    `Rejected by reason: ${top(report.rejects.byReason)}`,
    `Label issues: ${top(issueCounts)}`,
    `Tool use ${percent(report.tools.share)}, <think> coverage ${percent(report.thinking.coverage)}, refusals ${percent(report.refusals.rate)}, ` +
      `distinct-1 ${report.diversity.distinct1 ?? '–'}, distinct-2 ${report.diversity.distinct2 ?? '–'}`,
    ...toolShareLine(report),
    `Near-duplicates: ${report.nearDuplicates.flagged} flagged in ${report.nearDuplicates.clusterCount} cluster(s); private data found: ${privateFound}`,
    ...report.providers.slice(0, 6).map(
      (entry) => `  ${entry.provider} / ${entry.model}: ${entry.conversations} conversation${entry.conversations === 1 ? '' : 's'}, validity ${percent(entry.validityRate)}` +
        (entry.meanJudgeScore === null ? '' : `, judge ${entry.meanJudgeScore}`) + (entry.costUsd === null ? '' : `, $${entry.costUsd}`),
    ),
    `Wrote ${files.json} and ${files.html}`,
  ];
  return `${lines.join('\n')}\n`;
}
