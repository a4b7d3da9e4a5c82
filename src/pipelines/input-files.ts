/**
 * The hashes a pipeline declares in `PreparedPipeline.inputs.files`: one SHA-256 per file it read,
 * so the manifest can tell a later run (or `npm run status`) that a prompt was edited since.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: prompt files are named relative to it (`systemprompts/ada.md`), wherever it is installed. */
const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A display name for each absolute path (relative to the repository when inside it) and the hash of its bytes. */
export function hashInputFiles(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    files.map((file) => {
      const relative = path.relative(REPOSITORY_ROOT, file);
      const name = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
      return [name, sha256(readFileSync(file))];
    }),
  );
}
