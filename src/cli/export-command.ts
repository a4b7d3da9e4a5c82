import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { EXPORT_FORMATS, ExportError, checkTestSplit, exportConversations, exportKto, parseWhereFilter, shareGptDatasetInfo } from '../store/index.js';
import { reportKto } from './report-kto.js';
import path from 'node:path';
import type { ExportSummary, SystemPromptChoice, WhereFilter } from '../store/index.js';
import { ADA_TOOL_SCHEMAS } from '../tools/index.js';

/** `kto` reads two files (valid and invalid) and pairs them, so it is not one of the store's line-by-line formats. */
const COMMAND_FORMATS = [...EXPORT_FORMATS, 'kto'] as const;
type CommandFormat = (typeof COMMAND_FORMATS)[number];

export const EXPORT_USAGE = `Usage: npm run export -- --format <openai|sharegpt|json|jsonl|hf|kto> --input <file.jsonl> --output <file|dir> [options]

Converts a nightshift output file into a training format, streaming (constant memory).

Formats, each for the consumer that reads it as it is:
  openai     JSONL of {"messages": [...], "tools": [...]}: native tool_calls (ids of 9 letters/digits) and tool
             messages. For OpenAI fine-tuning, TRL SFTTrainer and Axolotl (type: chat_template):
               datasets.load_dataset("json", data_files="OUT")
             For a model's own chat template add --arguments-as-objects (and --split-parallel-calls for Llama 3.x):
               tokenizer.apply_chat_template(row["messages"], tools=row["tools"])
  sharegpt   JSONL for LLaMA-Factory: human/gpt turns, function_call (reasoning + calls as JSON) and observation
             turns, a tools column. The command prints the dataset_info.json entry; then train with
               dataset: <name of OUT without extension>
  json       A JSON array of {"conversations": [{"role": system|user|assistant, "content"}...]}, the original
             Python tool's format (tool results as <tool_response> user turns):  json.load(open("OUT"))
  jsonl      The native format, re-written after filters:  one saved conversation per line.
  hf         A directory for Hugging Face datasets: data/train.jsonl (data/test.jsonl with --test-split) of
             {"id", "messages": [{"role", "content"}...], "tools": "<JSON>"} rows, the shape TRL SFTTrainer reads,
             and a README.md dataset card (features, splits, size, the run's figures):
               datasets.load_dataset("OUT")
  kto        JSONL of {"prompt": [...], "completion": [...], "label": true|false}, TRL's unpaired preference shape for
             KTOTrainer: the input's conversations labelled true, its <stem>_invalid.jsonl labelled false, interleaved
             true/false/true/false and balanced (the surplus of the larger side is dropped and counted). The completion
             is what follows the last user message (the final reply, with its tool calls and results).
               datasets.load_dataset("json", data_files="OUT")

Options:
  -f, --format <name>           Output format (required): ${EXPORT_FORMATS.join(', ')}.
  -i, --input <file>            The nightshift JSONL to read (required).
  -o, --output <file>           The file to write (required); written to <file>.partial, then renamed. For hf a
                                directory, built in <dir>.partial; it replaces only an earlier hf export.
      --test-split <fraction>   Hold out this share (0 < x < 1, e.g. 0.05) as a test split, chosen by a hash of each
                                conversation's id, so exporting again or after more conversations never moves one
                                between splits: data/test.jsonl for hf, <stem>_test.<ext> beside the file otherwise.
      --minimal                 jsonl only: drop metadata, keep id and conversations.
      --keep-annotations        jsonl only: keep each line's annotations (generate --annotate: the request behind
                                every message, the reasoning the rewriter replaced); every export drops them otherwise.
                                Not with --strip-thinking (they hold the reasoning): export twice.
      --strip-thinking          Remove <think>...</think> blocks (and the whitespace after them) from assistant messages,
                                and the system prompt's instruction to think (metadata.thinkingInstruction).
      --system-prompt <file>    Replace every conversation's system prompt with the text of <file>.
      --no-system-prompt        Drop the system prompt (for models fine-tuned without one).
      --invalid <file>          kto only: the undesirable examples (default: <input stem>_invalid.jsonl beside the input).
      --include-dry-run         Also export dry-run conversations (metadata.dryRun, from generate --offline); left out by default.
      --keep-call-syntax        Write tool calls as the model wrote them ([TOOL_CALLS], tool_call:, python calls)
                                instead of the <tool_call>{"name": ..., "arguments": ...}</tool_call> they are saved in.
      --where <path>=<value>    Keep conversations whose value at the dot path equals <value> (string compare),
                                e.g. --where metadata.simulatedUser.name=Ana. Repeat to require all (AND).
      --with-tools              Keep only conversations with at least one tool call (metadata.toolCalls non-empty).
      --arguments-as-objects    openai only: write each call's arguments as a JSON object instead of JSON text
                                (chat templates such as Qwen2.5, Llama 3.x and Mistral apply tojson to them).
      --split-parallel-calls    openai only: one call per assistant message (call, result, call, result), the
                                reply's text in its own message first (single-call templates such as Llama 3.x).
      --redact                  Replace e-mail addresses, phone numbers, IP addresses, card numbers and key-like strings
                                in every message and the metadata with <EMAIL>, <PHONE>, <IP>, <CARD>, <KEY>.
      --anonymize-users         Replace each simulated user's name (metadata.simulatedUser.name) by a pseudonym,
                                the same one throughout a conversation.
  -h, --help                    Show this help.

Lines of the input that are not a saved conversation are skipped and reported on stderr.
Exit codes: 0 done, 2 bad arguments or unreadable input / unwritable output, 1 unexpected failure.`;

export interface ExportCommandIo {
  /** @default process.stdout */
  readonly stdout?: Writable;
  /** @default process.stderr */
  readonly stderr?: Writable;
}

interface ParsedExportArguments {
  readonly help: boolean;
  readonly format: CommandFormat;
  readonly invalidPath: string | undefined;
  readonly inputPath: string;
  readonly outputPath: string;
  readonly minimal: boolean;
  readonly keepAnnotations: boolean;
  readonly stripThinking: boolean;
  readonly where: readonly WhereFilter[];
  readonly withTools: boolean;
  readonly argumentsAsObjects: boolean;
  readonly splitParallelCalls: boolean;
  readonly systemPrompt: SystemPromptChoice;
  readonly keepCallSyntax: boolean;
  readonly includeDryRun: boolean;
  readonly testSplit: number | undefined;
  readonly redact: boolean;
  readonly anonymizeUsers: boolean;
}

class UsageError extends Error {}

/** `nightshift export ...` (argv without the subcommand). Returns the process exit code. */
export async function runExportCommand(argv: readonly string[], io: ExportCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let parsed: ParsedExportArguments | { readonly help: true };
  try {
    parsed = parseExportArguments(argv);
  } catch (error) {
    stderr.write(`export: ${error instanceof Error ? error.message : String(error)}\nRun with --help for usage.\n`);
    return 2;
  }
  if (!('format' in parsed)) {
    stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  try {
    if (parsed.format === 'kto') {
      const preparation = { keepCallSyntax: parsed.keepCallSyntax, stripThinking: parsed.stripThinking, systemPrompt: parsed.systemPrompt };
      const kto = await exportKto({ ...parsed, preparation });
      reportKto(kto, parsed.includeDryRun, stdout, stderr);
      reportPrivacy(kto, parsed, stdout);
      return 0;
    }
    // Lines saved before metadata.tools existed were all written by the Ada pipeline.
    const summary = await exportConversations({ ...parsed, format: parsed.format, fallbackTools: ADA_TOOL_SCHEMAS });
    reportBadLines(summary, stderr);
    reportThinkingInstructionsLeft(summary, stderr);
    if (summary.dryRunLeftOut > 0) {
      stderr.write(
        `Left out ${summary.dryRunLeftOut} dry-run conversation(s) (metadata.dryRun: scripted offline replies, not model output); ` +
          'add --include-dry-run to export them anyway.\n',
      );
    }
    stdout.write(`Exported ${summary.exported} conversations (${summary.skipped} skipped) to ${summary.outputPath}\n`);
    reportPrivacy(summary, parsed, stdout);
    if (parsed.testSplit !== undefined) reportSplits(summary, parsed.testSplit, stdout, stderr);
    if (parsed.format === 'sharegpt') reportDatasetInfo(summary.outputPath, stdout);
    if (parsed.format === 'hf') stdout.write(`Load it with: datasets.load_dataset(${JSON.stringify(summary.outputPath)})\n`);
    return 0;
  } catch (error) {
    if (error instanceof ExportError) {
      stderr.write(`export: ${error.message}\n`);
      return 2;
    }
    stderr.write(`export: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function parseExportArguments(argv: readonly string[]): ParsedExportArguments | { readonly help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        format: { type: 'string', short: 'f' },
        input: { type: 'string', short: 'i' },
        output: { type: 'string', short: 'o' },
        minimal: { type: 'boolean', default: false },
        'keep-annotations': { type: 'boolean', default: false },
        'strip-thinking': { type: 'boolean', default: false },
        where: { type: 'string', multiple: true, default: [] },
        'with-tools': { type: 'boolean', default: false },
        'arguments-as-objects': { type: 'boolean', default: false },
        'split-parallel-calls': { type: 'boolean', default: false },
        'system-prompt': { type: 'string' },
        'no-system-prompt': { type: 'boolean', default: false },
        'keep-call-syntax': { type: 'boolean', default: false },
        'include-dry-run': { type: 'boolean', default: false },
        'test-split': { type: 'string' },
        redact: { type: 'boolean', default: false },
        'anonymize-users': { type: 'boolean', default: false },
        invalid: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  const format = values.format;
  if (format === undefined) throw new UsageError(`Missing --format (one of ${COMMAND_FORMATS.join(', ')}).`);
  if (!isCommandFormat(format)) throw new UsageError(`Unknown --format \`${format}\`; expected one of ${COMMAND_FORMATS.join(', ')}.`);
  if (values.invalid !== undefined && format !== 'kto') throw new UsageError(`--invalid applies only to --format kto, got --format ${format}.`);
  if (format === 'kto') {
    const given = (['minimal', 'keep-annotations', 'arguments-as-objects', 'split-parallel-calls', 'test-split'] as const).filter((flag) => values[flag] !== undefined && values[flag] !== false);
    if (given.length > 0) throw new UsageError(`--${given[0]} does not apply to --format kto (its examples are paired by label, not split or reshaped).`);
  }
  if (values.input === undefined) throw new UsageError('Missing --input: the nightshift JSONL file to export.');
  if (values.output === undefined) throw new UsageError(`Missing --output: the ${format === 'hf' ? 'directory' : 'file'} to write.`);
  return {
    help: false,
    format,
    invalidPath: values.invalid,
    inputPath: values.input,
    outputPath: values.output,
    minimal: values.minimal,
    keepAnnotations: values['keep-annotations'],
    stripThinking: values['strip-thinking'],
    where: values.where.map(parseWhereFilter),
    withTools: values['with-tools'],
    argumentsAsObjects: values['arguments-as-objects'],
    splitParallelCalls: values['split-parallel-calls'],
    systemPrompt: systemPromptChoice(values['system-prompt'], values['no-system-prompt']),
    keepCallSyntax: values['keep-call-syntax'],
    includeDryRun: values['include-dry-run'],
    testSplit: values['test-split'] === undefined ? undefined : testSplitFraction(values['test-split']),
    redact: values.redact,
    anonymizeUsers: values['anonymize-users'],
  };
}

/** A share such as `0.05`; text that is not a number, or a share outside (0, 1), is refused with the accepted range. */
function testSplitFraction(text: string): number {
  const fraction = text.trim() === '' ? Number.NaN : Number(text);
  try {
    checkTestSplit(fraction);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/got `[^`]*`/, `got \`${text}\``) : String(error));
  }
  return fraction;
}

function systemPromptChoice(file: string | undefined, drop: boolean): SystemPromptChoice {
  if (file !== undefined && drop) throw new UsageError('--system-prompt and --no-system-prompt contradict each other; give one.');
  if (drop) return { kind: 'drop' };
  if (file === undefined) return { kind: 'keep' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`Cannot read the --system-prompt file ${file} (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (text.length === 0) throw new UsageError(`The --system-prompt file ${file} is empty; to export without a system prompt, use --no-system-prompt.`);
  return { kind: 'replace', text };
}

function isCommandFormat(value: string): value is CommandFormat {
  return (COMMAND_FORMATS as readonly string[]).includes(value);
}

/** LLaMA-Factory finds a dataset through an entry in its dataset_info.json; print the one for this file. */
function reportDatasetInfo(outputPath: string, stdout: Writable): void {
  const name = path.basename(outputPath).replace(/\.[^.]*$/, '');
  const entry = JSON.stringify({ [name]: shareGptDatasetInfo(path.basename(outputPath)) }, null, 2);
  stdout.write(`LLaMA-Factory: put the file in your dataset_dir and add this entry to its dataset_info.json, then train with dataset: ${name}\n${entry}\n`);
}

function reportSplits(summary: ExportSummary, fraction: number, stdout: Writable, stderr: Writable): void {
  for (const split of summary.splits) stdout.write(`  ${split.split}: ${split.exported} conversations in ${split.path}\n`);
  const test = summary.splits.find((split) => split.split === 'test')?.exported ?? 0;
  if (test === 0 && summary.exported > 0) {
    stderr.write(
      `Warning: no conversation fell in the test split (--test-split ${fraction} of ${summary.exported}); ` +
        'a larger share, or more conversations, gives one.\n',
    );
  }
}

function reportThinkingInstructionsLeft(summary: ExportSummary, stderr: Writable): void {
  if (summary.thinkingInstructionsLeft === 0) return;
  stderr.write(
    `Warning: ${summary.thinkingInstructionsLeft} exported system prompt(s) still mention <think> after --strip-thinking ` +
      '(saved before metadata.thinkingInstruction existed, or the prompt was edited): the model would be told to think but shown ' +
      'no reasoning. Replace them with --system-prompt FILE, or drop them with --no-system-prompt.\n',
  );
}

function reportBadLines(summary: ExportSummary, stderr: Writable): void {
  if (summary.skipped === 0) return;
  const shown = summary.badLines.map((bad) => `  line ${bad.line}: ${bad.reason}`).join('\n');
  const more = summary.skipped > summary.badLines.length ? `\n  ... and ${summary.skipped - summary.badLines.length} more` : '';
  stderr.write(`Skipped ${summary.skipped} bad input line(s):\n${shown}${more}\n`);
}

/** What --redact and --anonymize-users replaced, so a person sees the protection did something (or found nothing). */
function reportPrivacy(summary: Pick<ExportSummary, 'privacy'>, parsed: ParsedExportArguments, stdout: Writable): void {
  if (parsed.redact) {
    const { email, phone, ip, card, key } = summary.privacy.redacted;
    stdout.write(`Redacted ${email + phone + ip + card + key}: ${email} e-mail, ${phone} phone, ${ip} IP, ${card} card, ${key} key-like\n`);
  }
  if (parsed.anonymizeUsers) {
    const { users, names } = summary.privacy.anonymized;
    stdout.write(`Anonymized ${users} simulated user(s): ${names} name occurrence(s) replaced\n`);
  }
}
