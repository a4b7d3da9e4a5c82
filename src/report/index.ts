/**
 * The quality report (`npm run report`): reads a data directory's output, invalid file, rejects
 * and manifest, streaming, and writes report.json and a self-contained report.html. Imports
 * `core`, `format` and `store` (the invalid file's name, the private-data patterns).
 */
export { buildReport, writeReportFiles, type ReportInputs } from './write-report.js';
export { formatReportSummary } from './format-report-summary.js';
export { renderReportHtml } from './render-report-html.js';
export { ReportBuilder, type ModelPrices } from './report-builder.js';
export type { QualityReport } from './report-types.js';
