/**
 * Streams a data directory's files into a ReportBuilder: the output, the invalid file beside it,
 * `rejects.jsonl` when present, and the manifest. One line at a time (readline over a read
 * stream), so the file sizes never reach memory; a line that is not what it should be is counted
 * and skipped, never fatal: a report is most wanted when something went wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { forEachLine, parseJsonLine } from '../core/json-lines.js';
import { savedConversationSchema, type SavedConversation } from '../format/index.js';
import type { ReportBuilder } from './report-builder.js';

const rejectSchema = z.object({ reason: z.string(), failedStep: z.string().optional().catch(undefined) });

/** Every saved line of `file` into the builder; a missing file adds nothing (a run that labelled nothing false has no invalid file). */
export async function readSavedLines(file: string, builder: ReportBuilder, valid: boolean): Promise<void> {
  if (!existsSync(file)) return;
  await forEachLine(file, (line) => {
    const json = parseJsonLine(line);
    const parsed = json.ok ? savedConversationSchema.safeParse(json.value) : undefined;
    if (!json.ok || parsed === undefined || !parsed.success) return builder.addBadLine();
    // The output holds valid lines only, but a line says best what it is: a false label counts as invalid wherever it sits.
    const conversation: SavedConversation = parsed.data;
    builder.addConversation(conversation, json.value, valid && conversation.label !== false);
  });
}

export async function readRejects(file: string, builder: ReportBuilder): Promise<void> {
  if (!existsSync(file)) return;
  await forEachLine(file, (line) => {
    const json = parseJsonLine(line);
    const parsed = json.ok ? rejectSchema.safeParse(json.value) : undefined;
    if (parsed === undefined || !parsed.success) return builder.addBadLine();
    builder.addReject(parsed.data.reason, parsed.data.failedStep);
  });
}

/** The manifest as written, or null when absent; an unreadable one is reported in place of its content. */
export function readManifestForReport(file: string): unknown {
  if (!existsSync(file)) return null;
  const json = parseJsonLine(readFileSync(file, 'utf8'));
  return json.ok ? json.value : { unreadable: `${file} is not JSON` };
}
