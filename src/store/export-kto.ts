/**
 * `export --format kto`: TRL's unpaired preference shape, which `KTOTrainer` reads as it is
 * (https://huggingface.co/docs/trl/dataset_formats, "Unpaired preference", conversational):
 * `{"prompt": [messages], "completion": [messages], "label": bool}`. Valid conversations (the
 * output) are the desirable examples, the invalid file beside it the undesirable ones.
 */
import { rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseConversationLine, type SavedConversation } from '../format/index.js';
import { isSelected, type WhereFilter } from './conversation-filters.js';
import { withoutDroppedAnnotations } from './export-annotations.js';
import { ExportError } from './export-error.js';
import { addPrivacyTally, emptyPrivacyTally, protectPrivacy, type PrivacyOptions, type PrivacyTally } from './export-privacy.js';
import { LINES_FRAMING, openInput, openOutput, type OutputFile } from './export-output.js';
import { invalidOutputPath } from './invalid-output.js';
import { prepareConversation, type Preparation } from './prepare-conversation.js';
import { describeFileError } from './store-error.js';

export interface KtoMessage {
  readonly role: string;
  readonly content: string;
}

export interface KtoRecord {
  readonly prompt: readonly KtoMessage[];
  readonly completion: readonly KtoMessage[];
  readonly label: boolean;
}

export interface KtoExportOptions extends PrivacyOptions {
  /** The output of a run: its conversations are the desirable (`true`) examples. */
  readonly inputPath: string;
  /** The undesirable (`false`) examples. @default `<input stem>_invalid.jsonl` beside the input */
  readonly invalidPath?: string;
  readonly outputPath: string;
  readonly preparation: Preparation;
  /** @default false */
  readonly includeDryRun?: boolean;
  /** @default [] */
  readonly where?: readonly WhereFilter[];
  /** @default false */
  readonly withTools?: boolean;
}

/** What one side (valid or invalid) held and what became of it. */
export interface KtoSideSummary {
  readonly path: string;
  /** Lines usable as examples. */
  readonly usable: number;
  /** Of those, written. */
  readonly written: number;
  /** Usable but left out so both labels have as many examples. */
  readonly droppedToBalance: number;
  /** Lines that are no saved conversation, or end without a reply to complete (no prompt/completion split). */
  readonly unusable: number;
  readonly dryRunLeftOut: number;
  readonly filteredOut: number;
}

export interface KtoExportSummary {
  readonly outputPath: string;
  readonly exported: number;
  /** What `--redact` / `--anonymize-users` replaced in the examples written. */
  readonly privacy: PrivacyTally;
  readonly desirable: KtoSideSummary;
  readonly undesirable: KtoSideSummary;
}

/**
 * The user turn (0 for the first user message) whose answer holds the conversation's first error,
 * from `report.issues[].messageIndex`; undefined when no error names a message. Counted on the
 * conversation as saved, since preparing it (`--no-system-prompt`) moves message indices but
 * never adds or drops a user message.
 */
function flawedTurn(conversation: SavedConversation): number | undefined {
  const indices = (conversation.report?.issues ?? []).flatMap((issue) => (issue.level === 'error' && issue.messageIndex !== undefined ? [issue.messageIndex] : []));
  if (indices.length === 0) return undefined;
  const users = conversation.conversations.slice(0, Math.min(...indices) + 1).filter((message) => message.role === 'user').length;
  return users === 0 ? undefined : users - 1;
}

/**
 * The prompt is everything up to a user message; the completion is what answers it, up to the
 * next user message: the reply, with the tool calls and results that led to it (Ada) or the one
 * call (self-play). The user message is the last one, or, given `turn`, that one: an invalid
 * conversation is cut at the turn its first error is in, so the undesirable completion is the
 * flawed answer, not a later one that may be fine. Undefined when there is no such user message
 * or no reply after it.
 */
function toKtoRecord(conversation: SavedConversation, label: boolean, turn?: number): KtoRecord | undefined {
  const messages = conversation.conversations.map((message) => ({ role: message.role, content: message.content }));
  const userIndices = messages.flatMap((message, index) => (message.role === 'user' ? [index] : []));
  const cut = turn === undefined ? userIndices.at(-1) : userIndices[turn];
  if (cut === undefined) return undefined;
  const nextUser = messages.findIndex((message, index) => index > cut && message.role === 'user');
  const completion = messages.slice(cut + 1, nextUser === -1 ? undefined : nextUser);
  if (!completion.some((message) => message.role === 'assistant')) return undefined;
  return { prompt: messages.slice(0, cut + 1), completion, label };
}

interface Side {
  readonly path: string;
  readonly label: boolean;
  readonly lines: AsyncIterator<string>;
  usable: number;
  written: number;
  unusable: number;
  dryRunLeftOut: number;
  filteredOut: number;
}

/**
 * Streams both files at once (constant memory): one desirable, one undesirable, and so on, so any
 * batch TRL draws holds both labels; when one side runs out, the rest of the other is counted as
 * dropped to balance, not written. A missing invalid file is an error that says what to run.
 */
export async function exportKto(options: KtoExportOptions): Promise<KtoExportSummary> {
  const outputPath = path.resolve(options.outputPath);
  const validPath = path.resolve(options.inputPath);
  const invalidPath = path.resolve(options.invalidPath ?? invalidOutputPath(validPath));
  if (outputPath === validPath || outputPath === invalidPath) {
    throw new ExportError('EXPORT_INVALID_OPTIONS', `The output ${outputPath} is one of the inputs; choose another output path.`);
  }
  const handles: FileHandle[] = [];
  let file: OutputFile | undefined;
  try {
    const validHandle = await openInput(validPath);
    handles.push(validHandle);
    const invalidHandle = await openInput(invalidPath).catch((error: unknown) => {
      throw new ExportError(
        'EXPORT_INPUT_UNREADABLE',
        `KTO needs undesirable examples: cannot read ${invalidPath} (${describeFileError((error as ExportError).cause ?? error)}). ` +
          'It is written beside the output when a run labels a conversation false; give another with --invalid FILE.',
        { cause: error },
      );
    });
    handles.push(invalidHandle);
    const desirable = openSide(validPath, true, validHandle);
    const undesirable = openSide(invalidPath, false, invalidHandle);
    file = await openOutput('train', outputPath, `${outputPath}.partial`, LINES_FRAMING);
    const privacy = emptyPrivacyTally();
    for (;;) {
      const good = await nextRecord(desirable, options);
      const bad = good === undefined ? undefined : await nextRecord(undesirable, options);
      if (good === undefined || bad === undefined) break;
      await file.writeRecord(good.record);
      await file.writeRecord(bad.record);
      desirable.written++;
      undesirable.written++;
      addPrivacyTally(privacy, good.privacy);
      addPrivacyTally(privacy, bad.privacy);
    }
    // Whatever is left on either side is read to be counted, never written: nothing is protected or prepared for it.
    while ((await nextRecord(desirable, options, 'count')) !== undefined);
    while ((await nextRecord(undesirable, options, 'count')) !== undefined);
    await file.close();
    await rename(file.writtenPath, outputPath);
    return { outputPath, exported: desirable.written + undesirable.written, privacy, desirable: summarise(desirable), undesirable: summarise(undesirable) };
  } catch (error) {
    file?.destroy();
    if (file !== undefined) await rm(file.writtenPath, { force: true }).catch(() => undefined);
    if (error instanceof ExportError) throw error;
    throw new ExportError('EXPORT_INPUT_UNREADABLE', `Could not export KTO examples (${describeFileError(error)}).`, { cause: error });
  } finally {
    for (const handle of handles) await handle.close().catch(() => undefined);
  }
}

function openSide(filePath: string, label: boolean, handle: FileHandle): Side {
  const lines = createInterface({ input: handle.createReadStream({ autoClose: false }), crlfDelay: Infinity })[Symbol.asyncIterator]();
  return { path: filePath, label, lines, usable: 0, written: 0, unusable: 0, dryRunLeftOut: 0, filteredOut: 0 };
}

/**
 * The side's next usable example, protected as asked, with what protecting it replaced (counted
 * only if it is written); every line passed over is counted; undefined at its end. To `count` a
 * surplus that is never written, the example is cut from the conversation as saved: whether it is
 * usable hangs on its roles alone, which neither protecting nor preparing it changes, and
 * `--redact` over the unwritten rest of a lopsided pair of files would be most of the export's work.
 */
async function nextRecord(
  side: Side,
  options: KtoExportOptions,
  purpose: 'write' | 'count' = 'write',
): Promise<{ readonly record: KtoRecord; readonly privacy: PrivacyTally } | undefined> {
  for (;;) {
    const next = await side.lines.next();
    if (next.done === true) return undefined;
    if (next.value.trim().length === 0) continue;
    const parsed = parseConversationLine(next.value);
    if (!parsed.ok) {
      side.unusable++;
      continue;
    }
    const conversation = parsed.conversation;
    if (conversation.metadata['dryRun'] === true && options.includeDryRun !== true) {
      side.dryRunLeftOut++;
      continue;
    }
    if (!isSelected(conversation, options)) {
      side.filteredOut++;
      continue;
    }
    const privacy = emptyPrivacyTally();
    const exported = purpose === 'count' ? conversation : prepareConversation(protectPrivacy(withoutDroppedAnnotations(conversation, false), options, privacy), options.preparation).conversation;
    const record = toKtoRecord(exported, side.label, side.label ? undefined : flawedTurn(conversation));
    if (record === undefined) {
      side.unusable++;
      continue;
    }
    side.usable++;
    return { record, privacy };
  }
}

function summarise(side: Side): KtoSideSummary {
  return {
    path: side.path,
    usable: side.usable,
    written: side.written,
    droppedToBalance: side.usable - side.written,
    unusable: side.unusable,
    dryRunLeftOut: side.dryRunLeftOut,
    filteredOut: side.filteredOut,
  };
}
