/**
 * The report of one data directory, from its files to `report.json` and `report.html` beside
 * them. Each file is written to a temporary name and renamed, so a reader never sees half a report.
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { invalidOutputPath } from '../store/index.js';
import { ReportBuilder, type ModelPrices } from './report-builder.js';
import { readManifestForReport, readRejects, readSavedLines } from './read-report-inputs.js';
import { renderReportHtml } from './render-report-html.js';
import type { QualityReport } from './report-types.js';

export interface ReportInputs {
  readonly dataDir: string;
  /** The output file (valid lines); the invalid file and the manifest are found beside it. */
  readonly outputPath: string;
  /** The manifest's path (`<output stem>.manifest.json`). */
  readonly manifestPath: string;
  /** @default {} (no cost figures) */
  readonly prices?: ModelPrices;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export async function buildReport(inputs: ReportInputs): Promise<QualityReport> {
  const builder = new ReportBuilder(inputs.prices);
  const files = {
    output: inputs.outputPath,
    invalid: invalidOutputPath(inputs.outputPath),
    rejects: path.join(inputs.dataDir, 'rejects.jsonl'),
    manifest: inputs.manifestPath,
  };
  await readSavedLines(files.output, builder, true);
  await readSavedLines(files.invalid, builder, false);
  await readRejects(files.rejects, builder);
  return builder.build({ dataDir: inputs.dataDir, files, manifest: readManifestForReport(files.manifest), now: (inputs.now ?? (() => new Date()))() });
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

export function writeReportFiles(report: QualityReport, dataDir: string): { json: string; html: string } {
  const json = path.join(dataDir, 'report.json');
  const html = path.join(dataDir, 'report.html');
  writeAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomically(html, renderReportHtml(report));
  return { json, html };
}
