/**
 * `nightshift report`: the quality report of a data directory (src/report), written beside its
 * files as report.json and report.html, with a short summary on stdout.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { OFFLINE_DATA_DIR } from '../config/offline-configuration.js';
import { secretsSchema } from '../config/secrets-schema.js';
import { PIPELINES } from '../pipelines/registry.js';
import { buildReport, formatReportSummary, writeReportFiles, type ModelPrices } from '../report/index.js';
import { manifestPath } from '../store/index.js';

export const REPORT_USAGE = `Usage: npm run report [-- --data-dir DIR | --offline] [--output FILE]

Reads the run's output, the invalid file beside it, DIR/rejects.jsonl and the manifest (one line at
a time, so any size fits in memory) and writes DIR/report.json and DIR/report.html (one page, no
network needed: open it in any browser), then prints a short summary.

Options:
  -d, --data-dir <dir>  The run's data directory (default: data).
      --offline         The dry run's data directory (${OFFLINE_DATA_DIR}), as \`generate --offline\` uses it.
  -o, --output <file>   The output file to report on (default: the one in <dir>/trainingData/:
                        ${PIPELINES.names.map((name) => PIPELINES.get(name).outputFileName ?? 'conversations.jsonl').join(' or ')}).
  -h, --help            Show this help.

Costs use "prices" from <dir>/secrets.json when it has them.
Exit codes: 0 written, 1 no output to report on, 2 bad arguments.`;

export interface ReportCommandIo {
  /** @default process.stdout */
  readonly stdout?: Writable;
  /** @default process.stderr */
  readonly stderr?: Writable;
  /** @default process.cwd() */
  readonly cwd?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

class UsageError extends Error {}

function parseReportArguments(argv: readonly string[]): { help: true } | { help: false; dataDir?: string; offline: boolean; output?: string } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string', short: 'd' },
        offline: { type: 'boolean', default: false },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return { help: true };
    if (values.offline && values['data-dir'] !== undefined) throw new UsageError('--offline and --data-dir both name the data directory: give one.');
    return { help: false, dataDir: values['data-dir'], offline: values.offline, output: values.output };
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The outputs the registered pipelines write by default, those that exist in the data directory. */
function defaultOutputs(dataDir: string): string[] {
  const names = new Set(PIPELINES.names.map((name) => PIPELINES.get(name).outputFileName ?? 'conversations.jsonl'));
  return [...names].map((name) => path.join(dataDir, 'trainingData', name)).filter((file) => existsSync(file));
}

/** `prices` from secrets.json, read alone: the keys beside them are never looked at, let alone printed. */
function readPrices(dataDir: string, stderr: Writable): ModelPrices {
  const file = path.join(dataDir, 'secrets.json');
  if (!existsSync(file)) return {};
  try {
    const raw = (JSON.parse(readFileSync(file, 'utf8')) as { prices?: unknown }).prices;
    const prices = secretsSchema.shape.prices.parse(raw) ?? {};
    return Object.fromEntries(Object.entries(prices).map(([model, price]) => [model, { inputPerMillion: price.input_per_million, outputPerMillion: price.output_per_million }]));
  } catch {
    stderr.write(`report: the "prices" in ${file} could not be read (the generate command says why); costs are left out.\n`);
    return {};
  }
}

export async function runReportCommand(argv: readonly string[], io: ReportCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  let parsed;
  try {
    parsed = parseReportArguments(argv);
  } catch (error) {
    stderr.write(`report: ${error instanceof Error ? error.message : String(error)}\nRun with --help for usage.\n`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  const dataDir = path.resolve(cwd, parsed.dataDir ?? (parsed.offline ? OFFLINE_DATA_DIR : 'data'));
  const candidates = parsed.output === undefined ? defaultOutputs(dataDir) : [path.resolve(cwd, parsed.output)];
  if (candidates.length > 1) {
    stderr.write(`report: ${dataDir} holds more than one output (${candidates.map((file) => path.basename(file)).join(', ')}); say which with --output FILE.\n`);
    return 2;
  }
  const output = candidates[0];
  if (output === undefined || !existsSync(output)) {
    const missing = output === undefined ? `neither conversations.jsonl nor selfplay_output.jsonl is in ${path.join(dataDir, 'trainingData')}` : `${output} does not exist`;
    stderr.write(`report: no output to report on: ${missing}. Run \`npm run generate\` first, or name the file with --output.\n`);
    return 1;
  }
  const report = await buildReport({ dataDir, outputPath: output, manifestPath: manifestPath(output), prices: readPrices(dataDir, stderr), ...(io.now ? { now: io.now } : {}) });
  const written = writeReportFiles(report, dataDir);
  stdout.write(formatReportSummary(report, written));
  return 0;
}
