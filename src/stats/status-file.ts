import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { NightshiftError } from '../core/errors.js';
import { runStatusSchema, type RunStatus } from './status-schema.js';
import { syncDirectory } from '../core/sync-directory.js';

export const STATUS_FILE_NAME = 'status.json';

/** `<dataDirectory>/status.json`. */
export function statusFilePath(dataDirectory: string): string {
  return path.join(dataDirectory, STATUS_FILE_NAME);
}

/** Why a status file could not be read: `STATUS_FILE_MISSING` or `STATUS_FILE_INVALID`. */
export class StatusFileError extends NightshiftError {
  constructor(
    code: 'STATUS_FILE_MISSING' | 'STATUS_FILE_INVALID',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'StatusFileError';
  }
}

let temporaryCounter = 0;

/**
 * Replaces the status file atomically: the JSON goes to a temporary file in the same directory
 * (rename is only atomic within one file system), is fsynced, then renamed over the old file. A
 * reader therefore sees the old content or the new, never half of either, even across a crash.
 */
export async function writeStatusFile(filePath: string, status: RunStatus): Promise<void> {
  const temporary = temporaryPathFor(filePath);
  try {
    const handle = await fsp.open(temporary, 'w');
    try {
      await handle.writeFile(serialize(status));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temporary, filePath);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(path.dirname(filePath));
}

/** The same as `writeStatusFile`, for exit paths where awaiting is not possible. */
export function writeStatusFileSync(filePath: string, status: RunStatus): void {
  const temporary = temporaryPathFor(filePath);
  try {
    const descriptor = fs.openSync(temporary, 'w');
    try {
      fs.writeFileSync(descriptor, serialize(status));
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temporary, filePath);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** Reads and validates a status file; every failure is a `StatusFileError` with a message for a person. */
export async function readStatusFile(filePath: string): Promise<RunStatus> {
  let text: string;
  try {
    text = await fsp.readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StatusFileError('STATUS_FILE_MISSING', `No status file at ${filePath}.`, { cause: error });
    }
    throw new StatusFileError('STATUS_FILE_INVALID', `Cannot read the status file ${filePath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StatusFileError(
      'STATUS_FILE_INVALID',
      `The status file ${filePath} is not valid JSON (${(error as Error).message}). It is damaged; ` +
        'the daemon rewrites it on its next update, or delete it and start the run again.',
      { cause: error },
    );
  }
  const parsed = runStatusSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.length === 0 ? '(top level)' : issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new StatusFileError(
      'STATUS_FILE_INVALID',
      `The status file ${filePath} does not look like a nightshift status file (${problems}). ` +
        'It may come from another version; the daemon rewrites it on its next update.',
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

function serialize(status: RunStatus): string {
  return `${JSON.stringify(status, null, 2)}\n`;
}

function temporaryPathFor(filePath: string): string {
  temporaryCounter = (temporaryCounter + 1) % Number.MAX_SAFE_INTEGER;
  return path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.${temporaryCounter}.tmp`);
}
