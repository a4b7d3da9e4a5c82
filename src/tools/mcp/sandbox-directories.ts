/**
 * Where each conversation's sandboxes live: `<root>/<conversation id>/<server>`, a fresh copy of
 * the server's template (or an empty directory). Ids are checked so that a sandbox can only ever be
 * a direct child of the root: no `..`, no separators.
 */
import { cp, mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { NightshiftError } from '../../core/errors.js';
import { sanitizeName } from './tool-names.js';

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkSandboxId(id: string): void {
  if (!SANDBOX_ID.test(id) || id.includes('..')) {
    throw new NightshiftError(
      'MCP_SANDBOX_ID',
      `A sandbox id must be 1 to 128 letters, digits, "_", "-" or "." starting with a letter or digit, got ${JSON.stringify(id)}.`,
    );
  }
}

export function sandboxPath(root: string, id: string, server: string): string {
  return path.join(root, id, sanitizeName(server));
}

/** Creates the sandbox from the template, replacing whatever a crashed run left at that path. */
export async function createSandbox(directory: string, template: string | undefined): Promise<string> {
  await rm(directory, { recursive: true, force: true });
  if (template === undefined) await mkdir(directory, { recursive: true });
  else await cp(template, directory, { recursive: true, errorOnExist: false, force: true });
  // Servers compare real paths (server-filesystem does); a symlinked temp dir must not look "outside".
  return realpath(directory);
}

export async function removeSandbox(root: string, id: string): Promise<void> {
  await rm(path.join(root, id), { recursive: true, force: true });
}
