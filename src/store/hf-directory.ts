/**
 * The directory of an `hf` export is built beside its destination (`<dir>.partial`) and moved into
 * place once complete, so a failed export never leaves half a dataset where `load_dataset` would
 * read it. An existing destination is replaced only when it is empty or an earlier `hf` export:
 * a directory holding anything else is refused, never deleted.
 */
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CARD_MARKER_TAG } from './dataset-card.js';
import { ExportError } from './export-error.js';
import { describeFileError } from './store-error.js';

export const DATA_DIRECTORY = 'data';
export const CARD_FILE = 'README.md';

export function stagingPath(directory: string): string {
  return `${directory}.partial`;
}

/**
 * Throws unless `directory` is absent, empty, or what an `hf` export writes (`README.md` carrying the
 * `nightshift` tag, `data/` of `.jsonl` files). `requireCard` is false for the staging directory
 * an interrupted export left, which may lack its card.
 */
export async function checkReplaceable(directory: string, requireCard = true): Promise<void> {
  const found = await stat(directory).catch(() => undefined);
  if (found === undefined) return;
  const refuse = (what: string) =>
    new ExportError(
      'EXPORT_INVALID_OPTIONS',
      `The output ${directory} ${what}, which an hf export did not write; choose a new --output directory, or move it away first.`,
    );
  if (!found.isDirectory()) throw refuse('is a file');
  const entries = await readdir(directory);
  if (entries.length === 0) return;
  const strangers = entries.filter((entry) => entry !== CARD_FILE && entry !== DATA_DIRECTORY);
  if (strangers.length > 0) throw refuse(`holds ${strangers.slice(0, 3).join(', ')}`);
  if (entries.includes(DATA_DIRECTORY)) {
    const dataEntries = await readdir(path.join(directory, DATA_DIRECTORY)).catch(() => undefined);
    if (dataEntries === undefined) throw refuse(`holds a ${DATA_DIRECTORY} that is not a directory`);
    const others = dataEntries.filter((entry) => !entry.endsWith('.jsonl'));
    if (others.length > 0) throw refuse(`holds ${others.slice(0, 3).map((entry) => `${DATA_DIRECTORY}/${entry}`).join(', ')}`);
  }
  const card = entries.includes(CARD_FILE) ? await readFile(path.join(directory, CARD_FILE), 'utf8').catch(() => '') : undefined;
  if (card === undefined ? requireCard : !card.includes(`\n- ${CARD_MARKER_TAG}\n`)) throw refuse(`holds a ${CARD_FILE}`);
}

/** Moves the finished staging directory to `directory`, replacing an earlier export checked by `checkReplaceable`. */
export async function moveIntoPlace(staging: string, directory: string): Promise<void> {
  try {
    const exists = await stat(directory).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await rename(staging, directory);
      return;
    }
    // A fresh empty directory of our own: rename(2) may replace an empty directory, and nothing of the user's is named like it.
    const previous = await mkdtemp(`${directory}.previous-`);
    await rename(directory, previous);
    await rename(staging, directory);
    await rm(previous, { recursive: true, force: true });
  } catch (error) {
    throw new ExportError('EXPORT_OUTPUT_UNWRITABLE', `Could not move the finished export into ${directory} (${describeFileError(error)}).`, {
      cause: error,
    });
  }
}
