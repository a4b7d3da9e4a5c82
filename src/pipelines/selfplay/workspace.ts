import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseTolerantJson } from '../../format/index.js';

/**
 * The workspace the environment step describes, and its materialisation in a conversation's
 * sandbox so that later tool calls act on what the user was shown. A model's description is
 * untrusted input: paths are normalised and confined to the sandbox, sizes are bounded, and a
 * reply that is not a usable workspace is a clear `WorkspaceReplyError` (the example is discarded
 * with that reason, the daemon goes on).
 */

export const WORKSPACE_LIMITS = { files: 40, folders: 40, fileCharacters: 4_000, pathCharacters: 160 } as const;

export interface WorkspaceFile {
  readonly path: string;
  readonly content: string;
}

export interface Workspace {
  readonly name: string;
  readonly description: string;
  readonly root: string;
  /** Every folder, parents included, sorted; files' folders are listed too. */
  readonly folders: readonly string[];
  readonly files: readonly WorkspaceFile[];
}

export class WorkspaceReplyError extends Error {
  override readonly name = 'WorkspaceReplyError';
}

const described = z.object({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(600).default(''),
  root: z.string().trim().max(80).default('workspace'),
  files: z
    .array(z.object({ path: z.string(), content: z.string().max(WORKSPACE_LIMITS.fileCharacters).default('') }))
    .min(1)
    .max(WORKSPACE_LIMITS.files),
  folders: z.array(z.string()).max(WORKSPACE_LIMITS.folders).default([]),
});

/** Reads the environment step's reply: one JSON object, bare or in a ```json fence. */
export function readWorkspaceReply(reply: string): Workspace {
  const json = extractObject(reply);
  const parsed = parseTolerantJson(json);
  if (!parsed.ok) throw new WorkspaceReplyError(`the workspace reply is not a JSON object: ${parsed.message}`);
  const result = described.safeParse(parsed.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new WorkspaceReplyError(`the workspace reply does not describe a workspace: ${issue?.path.join('.') || 'value'}: ${issue?.message}`);
  }
  const { name, description, root, files, folders } = result.data;
  const seen = new Set<string>();
  const kept: WorkspaceFile[] = [];
  for (const file of files) {
    const normalised = normalisePath(file.path);
    if (seen.has(normalised)) continue;
    seen.add(normalised);
    kept.push({ path: normalised, content: file.content });
  }
  const folderSet = new Set(folders.map(normalisePath));
  for (const file of kept) {
    for (let parent = path.posix.dirname(file.path); parent !== '.'; parent = path.posix.dirname(parent)) folderSet.add(parent);
  }
  for (const folder of folderSet) {
    if (seen.has(folder)) throw new WorkspaceReplyError(`the workspace reply names "${folder}" as both a file and a folder`);
  }
  return { name, description, root: rootName(root), folders: [...folderSet].sort(), files: kept };
}

/** Writes the workspace's folders and files under `directory` (the conversation's sandbox). */
export async function materialiseWorkspace(workspace: Workspace, directory: string): Promise<void> {
  const base = path.resolve(directory);
  const inside = (relative: string) => {
    const full = path.resolve(base, ...relative.split('/'));
    if (!full.startsWith(base + path.sep)) throw new WorkspaceReplyError(`the path "${relative}" leaves the workspace`);
    return full;
  };
  for (const folder of workspace.folders) await mkdir(inside(folder), { recursive: true });
  for (const file of workspace.files) {
    const full = inside(file.path);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, file.content.endsWith('\n') ? file.content : `${file.content}\n`, { flag: 'wx' });
  }
}

/** A relative POSIX path with no `.`/`..` segments, no leading slash or drive, within the length limit. */
function normalisePath(raw: string): string {
  const segments = raw.trim().replace(/\\/g, '/').split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0) throw new WorkspaceReplyError(`the workspace reply has an empty path`);
  for (const segment of segments) {
    if (segment === '..') throw new WorkspaceReplyError(`the path "${raw}" climbs out of the workspace ("..")`);
    if (/^[A-Za-z]:$/.test(segment) || /[\0<>:"|?*]/.test(segment)) {
      throw new WorkspaceReplyError(`the path "${raw}" has a character no file name may hold`);
    }
  }
  const joined = segments.join('/');
  if (joined.length > WORKSPACE_LIMITS.pathCharacters) {
    throw new WorkspaceReplyError(`the path "${joined.slice(0, 40)}…" is longer than ${WORKSPACE_LIMITS.pathCharacters} characters`);
  }
  return joined;
}

function rootName(root: string): string {
  const cleaned = root.replace(/[\\/]+/g, '-').replace(/[^\w.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').toLowerCase();
  return cleaned === '' ? 'workspace' : cleaned;
}

function extractObject(reply: string): string {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(reply);
  const text = fenced ? (fenced[1] as string) : reply;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) throw new WorkspaceReplyError('the workspace reply holds no JSON object');
  return text.slice(start, end + 1);
}
