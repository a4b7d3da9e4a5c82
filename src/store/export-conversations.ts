import { rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseConversationLine, type SavedConversation, type ToolSchema } from '../format/index.js';
import { isSelected } from './conversation-filters.js';
import type { WhereFilter } from './conversation-filters.js';
import { renderDatasetCard } from './dataset-card.js';
import { DatasetFiguresCounter } from './dataset-figures.js';
import { ExportError } from './export-error.js';
import { ARRAY_FRAMING, LINES_FRAMING, openInput, openOutput, type OutputFile } from './export-output.js';
import { HF_FEATURES, toHfRow } from './format-hf.js';
import { CARD_FILE, DATA_DIRECTORY, checkReplaceable, moveIntoPlace, stagingPath } from './hf-directory.js';
import { toNativeRecord } from './format-native-jsonl.js';
import { toOpenAiRecord } from './format-openai.js';
import { toOriginalJsonRecord } from './format-original-json.js';
import { toShareGptRecord } from './format-sharegpt.js';
import { checkAnnotationOptions, withoutDroppedAnnotations } from './export-annotations.js';
import { emptyPrivacyTally, protectPrivacy, type PrivacyOptions, type PrivacyTally } from './export-privacy.js';
import { prepareConversation, type SystemPromptChoice } from './prepare-conversation.js';
import { describeFileError } from './store-error.js';
import { checkTestSplit, splitOf, testSplitPath, type SplitName } from './test-split.js';

export { ExportError } from './export-error.js';

export const EXPORT_FORMATS = ['json', 'sharegpt', 'openai', 'jsonl', 'hf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions extends PrivacyOptions {
  readonly format: ExportFormat;
  /** A JSONL file in the store's format. */
  readonly inputPath: string;
  /**
   * Written to `<outputPath>.partial` first and renamed when complete. For `hf`, a directory
   * (`README.md`, `data/train.jsonl`, `data/test.jsonl`) that replaces only an earlier `hf` export.
   */
  readonly outputPath: string;
  /**
   * Hold out this share (0 < x < 1) as a test split, by a hash of each conversation's id: `data/test.jsonl`
   * for `hf`, `<stem>_test.<ext>` beside the output for the file formats. @default undefined (no split)
   */
  readonly testSplit?: number;
  /** Drop `metadata` (format `jsonl` only). @default false */
  readonly minimal?: boolean;
  /**
   * Keep each line's `annotations` (`generate --annotate`; format `jsonl` only, the one format
   * whose readers expect fields beyond the messages). @default false: dropped
   */
  readonly keepAnnotations?: boolean;
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

export interface SplitSummary {
  readonly split: SplitName;
  readonly path: string;
  readonly exported: number;
}

export interface BadLine {
  /** 1-based line number in the input. */
  readonly line: number;
  readonly reason: string;
}

export interface ExportSummary {
  readonly outputPath: string;
  /** Conversations written, over all splits. */
  readonly exported: number;
  /** Each file written and what it holds: train (the output itself for the file formats), then test with `testSplit`. */
  readonly splits: readonly SplitSummary[];
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
  /** What `redact` and `anonymizeUsers` replaced (zeros when neither was asked). */
  readonly privacy: PrivacyTally;
}

const MAX_REPORTED_BAD_LINES = 20;

type CopySummary = Omit<ExportSummary, 'outputPath' | 'splits'>;

/**
 * Streams an output file into another format with constant memory: one line in, one record out,
 * waiting for the output to drain. Bad input lines are skipped and counted.
 * @throws ExportError when the options contradict, the input cannot be read or the output cannot be written.
 */
export async function exportConversations(options: ExportOptions): Promise<ExportSummary> {
  checkOptionsApply(options);
  const inputPath = path.resolve(options.inputPath);
  const outputPath = path.resolve(options.outputPath);
  const heldOutPath = options.testSplit !== undefined && options.format !== 'hf' ? testSplitPath(outputPath) : undefined;
  if (inputPath === outputPath || inputPath === heldOutPath || (options.format === 'hf' && inputPath.startsWith(`${outputPath}${path.sep}`))) {
    const clash = inputPath === heldOutPath ? `The test split's file ${heldOutPath}` : `The output ${outputPath}`;
    throw new ExportError('EXPORT_INVALID_OPTIONS', `${clash} is or holds the input file; choose another output path.`);
  }
  if (options.format === 'hf') {
    await checkReplaceable(outputPath);
    await checkReplaceable(stagingPath(outputPath), false);
  }
  const input = await openInput(inputPath);
  try {
    return options.format === 'hf' ? await exportDirectory(input, outputPath, options) : await exportFiles(input, outputPath, options);
  } finally {
    await input.close().catch(() => undefined);
  }
}

/** A single-file format: the output, and with `testSplit` its `<stem>_test.<ext>`, each through a `.partial`. */
async function exportFiles(input: FileHandle, outputPath: string, options: ExportOptions): Promise<ExportSummary> {
  const framing = options.format === 'json' ? ARRAY_FRAMING : LINES_FRAMING;
  const paths: [SplitName, string][] = [['train', outputPath]];
  if (options.testSplit !== undefined) paths.push(['test', testSplitPath(outputPath)]);
  const files: OutputFile[] = [];
  try {
    for (const [split, finalPath] of paths) files.push(await openOutput(split, finalPath, `${finalPath}.partial`, framing));
    const summary = await copyConversations(input, files, options);
    for (const file of files) await file.close();
    for (const file of files) await rename(file.writtenPath, file.path);
    return { outputPath, ...summary, splits: files.map(splitSummary) };
  } catch (error) {
    for (const file of files) {
      file.destroy();
      await rm(file.writtenPath, { force: true }).catch(() => undefined);
    }
    throw asOutputError(error, outputPath);
  }
}

/** `hf`: data files and the dataset card built in `<dir>.partial`, moved into place when complete. */
async function exportDirectory(input: FileHandle, outputPath: string, options: ExportOptions): Promise<ExportSummary> {
  const staging = stagingPath(outputPath);
  const splits: SplitName[] = options.testSplit === undefined ? ['train'] : ['train', 'test'];
  const files: OutputFile[] = [];
  try {
    await rm(staging, { recursive: true, force: true });
    for (const split of splits) {
      const relative = `${DATA_DIRECTORY}/${split}.jsonl`;
      files.push(await openOutput(split, path.join(outputPath, relative), path.join(staging, relative), LINES_FRAMING));
    }
    const figures = new DatasetFiguresCounter();
    const summary = await copyConversations(input, files, options, (conversation, split) => figures.add(conversation, split));
    for (const file of files) await file.close();
    // An empty test split is left out: the card lists every data file, and a split of no rows helps no one.
    const kept = files.filter((file) => file.split === 'train' || file.records > 0);
    for (const file of files) if (!kept.includes(file)) await rm(file.writtenPath);
    const card = renderDatasetCard({
      figures: figures.figures(),
      features: HF_FEATURES,
      dataFiles: kept.map((file) => ({ split: file.split, path: `${DATA_DIRECTORY}/${file.split}.jsonl`, examples: file.records })),
      choices: {
        stripThinking: options.stripThinking === true,
        keepCallSyntax: options.keepCallSyntax === true,
        systemPrompt: options.systemPrompt?.kind ?? 'keep',
        testFraction: options.testSplit,
      },
    });
    await writeFile(path.join(staging, CARD_FILE), card);
    await moveIntoPlace(staging, outputPath);
    return { outputPath, ...summary, splits: kept.map(splitSummary) };
  } catch (error) {
    for (const file of files) file.destroy();
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw asOutputError(error, outputPath);
  }
}

function splitSummary(file: OutputFile): SplitSummary {
  return { split: file.split, path: file.path, exported: file.records };
}

function asOutputError(error: unknown, outputPath: string): ExportError {
  if (error instanceof ExportError) return error;
  return new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not write ${outputPath} (${describeFileError(error)}).`, { cause: error });
}

/** An option the chosen format ignores is a mistake worth saying, not a silent no-op. */
function checkOptionsApply(options: ExportOptions): void {
  const onlyFor: readonly [boolean | undefined, string, ExportFormat][] = [
    [options.minimal, '--minimal', 'jsonl'],
    [options.keepAnnotations, '--keep-annotations', 'jsonl'],
    [options.argumentsAsObjects, '--arguments-as-objects', 'openai'],
    [options.splitParallelCalls, '--split-parallel-calls', 'openai'],
  ];
  for (const [given, flag, format] of onlyFor) {
    if (given === true && options.format !== format) {
      throw new ExportError('EXPORT_INVALID_OPTIONS', `${flag} applies only to --format ${format}, got --format ${options.format}`);
    }
  }
  checkAnnotationOptions(options);
  if (options.testSplit !== undefined) {
    try {
      checkTestSplit(options.testSplit);
    } catch (error) {
      throw new ExportError('EXPORT_INVALID_OPTIONS', (error as Error).message);
    }
  }
}

/** Each selected conversation goes to the file of its split; `observe` sees it as saved (the card's figures). */
async function copyConversations(
  input: FileHandle,
  files: readonly OutputFile[],
  options: ExportOptions,
  observe?: (conversation: SavedConversation, split: SplitName) => void,
): Promise<CopySummary> {
  const lines = createInterface({ input: input.createReadStream({ autoClose: false }), crlfDelay: Infinity });
  const badLines: BadLine[] = [];
  let lineNumber = 0;
  let exported = 0;
  let skipped = 0;
  let filteredOut = 0;
  let thinkingInstructionsLeft = 0;
  let dryRunLeftOut = 0;
  const privacy = emptyPrivacyTally();
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
      const prepared = prepareConversation(protectPrivacy(withoutDroppedAnnotations(parsed.conversation, options.keepAnnotations === true), options, privacy), preparation);
      if (prepared.thinkingInstructionLeft) thinkingInstructionsLeft++;
      const split = splitOf(parsed.conversation.id, options.testSplit);
      const file = files.find((candidate) => candidate.split === split) ?? files[0]!;
      await file.writeRecord(formatRecord(prepared.conversation, options));
      observe?.(parsed.conversation, split);
      exported++;
    }
  } catch (error) {
    if (error instanceof ExportError) throw error;
    throw new ExportError('EXPORT_INPUT_UNREADABLE', `Could not read ${options.inputPath} (${describeFileError(error)}).`, { cause: error });
  }
  return { exported, skipped, filteredOut, dryRunLeftOut, badLines, thinkingInstructionsLeft, privacy };
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
      return toNativeRecord(conversation, { minimal: options.minimal === true, keepAnnotations: options.keepAnnotations === true });
    case 'hf':
      return toHfRow(conversation, options.fallbackTools);
  }
}
