import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { NightshiftError } from '../core/errors.js';
import { parseConversationLine, type SavedConversation, type ToolSchema } from '../format/index.js';
import { hasToolCalls, matchesWhere } from './conversation-filters.js';
import type { WhereFilter } from './conversation-filters.js';
import { toNativeRecord } from './format-native-jsonl.js';
import { toOpenAiRecord } from './format-openai.js';
import { toOriginalJsonRecord } from './format-original-json.js';
import { toShareGptRecord } from './format-sharegpt.js';
import { prepareConversation, type SystemPromptChoice } from './prepare-conversation.js';
import { describeFileError } from './store-error.js';

export const EXPORT_FORMATS = ['json', 'sharegpt', 'openai', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  readonly format: ExportFormat;
  /** A JSONL file in the store's format. */
  readonly inputPath: string;
  /** Written to `<outputPath>.partial` first and renamed when complete. */
  readonly outputPath: string;
  /** Drop `metadata` (format `jsonl` only). @default false */
  readonly minimal?: boolean;
  /**
   * Remove `<think>…</think>` blocks from assistant messages, and the system prompt's instruction to
   * think (`metadata.thinkingInstruction`). @default false
   */
  readonly stripThinking?: boolean;
  /** Write each call as the model wrote it rather than in the canonical syntax it was saved in. @default false */
  readonly keepCallSyntax?: boolean;
  /** Export conversations marked `metadata.dryRun` (scripted offline replies, not model output). @default false */
  readonly includeDryRun?: boolean;
  /** Keep, replace or drop each conversation's system prompt. @default { kind: 'keep' } */
  readonly systemPrompt?: SystemPromptChoice;
  /** Keep only conversations matching every filter. @default [] */
  readonly where?: readonly WhereFilter[];
  /** Keep only conversations with at least one tool call. @default false */
  readonly withTools?: boolean;
  /** `openai` only: `arguments` as JSON objects, for chat templates that apply `tojson`. @default false */
  readonly argumentsAsObjects?: boolean;
  /** `openai` only: one call per assistant message, for single-call templates. @default false */
  readonly splitParallelCalls?: boolean;
  /** `openai`/`sharegpt`: the tools declared for lines saved without `metadata.tools` (the CLI passes Ada's). @default [] */
  readonly fallbackTools?: readonly ToolSchema[];
}

export interface BadLine {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly reason: string;
}

export interface ExportSummary {
  readonly outputPath: string;
  readonly exported: number;
  /** Input lines that were not a saved conversation. */
  readonly skipped: number;
  /** Valid conversations left out by `where` / `withTools`. */
  readonly filteredOut: number;
  /** Dry-run conversations left out (no `includeDryRun`); not counted in `filteredOut`. */
  readonly dryRunLeftOut: number;
  /** The first bad lines, for the report. */
  readonly badLines: readonly BadLine[];
  /**
   * With `stripThinking`: exported system prompts that still mention `<think>` (saved before
   * `metadata.thinkingInstruction` existed, or edited since); `--system-prompt FILE` replaces them.
   */
  readonly thinkingInstructionsLeft: number;
}

/** Export failures the user can fix (missing input, unwritable output); the CLI exits with 2. */
export class ExportError extends NightshiftError {
  constructor(code: 'EXPORT_INPUT_UNREADABLE' | 'EXPORT_OUTPUT_UNWRITABLE' | 'EXPORT_INVALID_OPTIONS', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ExportError';
  }
}

const MAX_REPORTED_BAD_LINES = 20;

/** JSON array formats need `[`, `,` between items and `]`; JSONL formats end each item with a newline. */
interface Framing {
  readonly opening: string;
  readonly separator: string;
  readonly closing: string;
  readonly empty: string;
}
const ARRAY_FRAMING: Framing = { opening: '[\n', separator: ',\n', closing: '\n]\n', empty: '[]\n' };
const LINES_FRAMING: Framing = { opening: '', separator: '\n', closing: '\n', empty: '' };

/**
 * Streams an output file into another format with constant memory: one line in, one record out,
 * waiting for the output to drain. Bad input lines are skipped and counted.
 * @throws ExportError when the input cannot be read or the output cannot be written.
 */
export async function exportConversations(options: ExportOptions): Promise<ExportSummary> {
  checkOptionsApply(options);
  const inputPath = path.resolve(options.inputPath);
  const outputPath = path.resolve(options.outputPath);
  if (inputPath === outputPath) {
    throw new ExportError('EXPORT_INVALID_OPTIONS', `The output ${outputPath} is the input file; choose another output path.`);
  }
  const input = await openInput(inputPath);
  const partialPath = `${outputPath}.partial`;
  let output: Writable | undefined;
  try {
    output = await openOutput(partialPath);
    const summary = await copyConversations(input, output, options);
    output.end();
    await finished(output);
    await rename(partialPath, outputPath);
    return { outputPath, ...summary };
  } catch (error) {
    output?.destroy();
    await rm(partialPath, { force: true }).catch(() => undefined);
    if (error instanceof ExportError) throw error;
    throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${outputPath} (${describeFileError(error)}).`, { cause: error });
  } finally {
    await input.close().catch(() => undefined);
  }
}

/** An option the chosen format ignores is a mistake worth saying, not a silent no-op. */
function checkOptionsApply(options: ExportOptions): void {
  const onlyFor: readonly [boolean | undefined, string, ExportFormat][] = [
    [options.minimal, '--minimal', 'jsonl'],
    [options.argumentsAsObjects, '--arguments-as-objects', 'openai'],
    [options.splitParallelCalls, '--split-parallel-calls', 'openai'],
  ];
  for (const [given, flag, format] of onlyFor) {
    if (given === true && options.format !== format) {
      throw new ExportError('EXPORT_INVALID_OPTIONS', `${flag} applies only to --format ${format}, got --format ${options.format}`);
    }
  }
}

async function copyConversations(
  input: FileHandle,
  output: Writable,
  options: ExportOptions,
): Promise<Omit<ExportSummary, 'outputPath'>> {
  const framing = options.format === 'json' ? ARRAY_FRAMING : LINES_FRAMING;
  const lines = createInterface({ input: input.createReadStream({ autoClose: false }), crlfDelay: Infinity });
  const badLines: BadLine[] = [];
  let lineNumber = 0;
  let exported = 0;
  let skipped = 0;
  let filteredOut = 0;
  let thinkingInstructionsLeft = 0;
  let dryRunLeftOut = 0;
  const preparation = { keepCallSyntax: options.keepCallSyntax === true, stripThinking: options.stripThinking === true, systemPrompt: options.systemPrompt ?? { kind: 'keep' as const } };
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim().length === 0) continue;
      const parsed = parseConversationLine(line);
      if (!parsed.ok) {
        skipped++;
        if (badLines.length < MAX_REPORTED_BAD_LINES) badLines.push({ line: lineNumber, reason: parsed.reason });
        continue;
      }
      if (parsed.conversation.metadata['dryRun'] === true && options.includeDryRun !== true) {
        dryRunLeftOut++;
        continue;
      }
      if (!isSelected(parsed.conversation, options)) {
        filteredOut++;
        continue;
      }
      const prepared = prepareConversation(parsed.conversation, preparation);
      if (prepared.thinkingInstructionLeft) thinkingInstructionsLeft++;
      const record = JSON.stringify(formatRecord(prepared.conversation, options));
      await write(output, (exported === 0 ? framing.opening : framing.separator) + record);
      exported++;
    }
  } catch (error) {
    if (error instanceof ExportError) throw error;
    throw new ExportError('EXPORT_INPUT_UNREADABLE', `Could not read ${options.inputPath} (${describeFileError(error)}).`, { cause: error });
  }
  await write(output, exported === 0 ? framing.empty : framing.closing);
  return { exported, skipped, filteredOut, dryRunLeftOut, badLines, thinkingInstructionsLeft };
}

function isSelected(conversation: SavedConversation, options: ExportOptions): boolean {
  if (options.withTools === true && !hasToolCalls(conversation)) return false;
  return (options.where ?? []).every((filter) => matchesWhere(conversation, filter));
}

function formatRecord(conversation: SavedConversation, options: ExportOptions): object {
  switch (options.format) {
    case 'json':
      return toOriginalJsonRecord(conversation);
    case 'sharegpt':
      return toShareGptRecord(conversation, options.fallbackTools);
    case 'openai':
      return toOpenAiRecord(conversation, options);
    case 'jsonl':
      return toNativeRecord(conversation, options.minimal === true);
  }
}

/** Writes with backpressure: waits for `drain` when the stream's buffer is full. */
async function write(output: Writable, text: string): Promise<void> {
  try {
    if (output.errored !== null) throw output.errored;
    if (text.length > 0 && !output.write(text)) await once(output, 'drain');
  } catch (error) {
    const target = 'path' in output ? String(output.path) : 'the output';
    throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${target} (${describeFileError(error)}).`, { cause: error });
  }
}

async function openInput(inputPath: string): Promise<FileHandle> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(inputPath, 'r');
    if (!(await handle.stat()).isFile()) throw new Error('not a regular file');
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new ExportError('EXPORT_INPUT_UNREADABLE', `Cannot read the input ${inputPath} (${describeFileError(error)}).`, { cause: error });
  }
}

async function openOutput(partialPath: string): Promise<Writable> {
  await mkdir(path.dirname(partialPath), { recursive: true });
  const output = createWriteStream(partialPath);
  // A write error surfaces through `write()`/`finished()`; this listener keeps it from crashing the process meanwhile.
  output.on('error', () => undefined);
  await once(output, 'open');
  return output;
}
