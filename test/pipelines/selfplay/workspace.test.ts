import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { materialiseWorkspace, readWorkspaceReply, WorkspaceReplyError } from '../../../src/pipelines/selfplay/workspace.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const REPLY = `Here is the workspace:
\`\`\`json
{
  "name": "Maya's kitchen notes",
  "description": "Recipes and restaurant notes of a home cook in Lyon.",
  "root": "Maya Notes",
  "files": [
    {"path": "restaurants/mexican-restaurants.md", "content": "# Tacos\\n- El Sol, rue Mercière: al pastor"},
    {"path": "./inbox/untitled 3.md", "content": "buy masa harina"},
    {"path": "restaurants/mexican-restaurants.md", "content": "a duplicate the model wrote twice"},
  ],
  "folders": ["archive", "inbox"]
}
\`\`\``;

describe('the workspace the environment step describes', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('a fenced, slightly loose JSON reply becomes a workspace with normalised paths and every parent folder', () => {
    const workspace = readWorkspaceReply(REPLY);
    expect(workspace.root).toBe('maya-notes');
    expect(workspace.files.map((file) => file.path)).toEqual(['restaurants/mexican-restaurants.md', 'inbox/untitled 3.md']);
    expect(workspace.files[0]?.content).toContain('al pastor');
    expect(workspace.folders).toEqual(['archive', 'inbox', 'restaurants']);
  });

  it('is written into the sandbox as files and folders a tool can read', async () => {
    const temp = makeTempDir('nightshift-workspace-');
    cleanups.push(temp.cleanup);
    await materialiseWorkspace(readWorkspaceReply(REPLY), temp.path);
    expect(statSync(path.join(temp.path, 'archive')).isDirectory()).toBe(true);
    expect(readdirSync(path.join(temp.path, 'inbox'))).toEqual(['untitled 3.md']);
    expect(readFileSync(path.join(temp.path, 'restaurants', 'mexican-restaurants.md'), 'utf8')).toBe('# Tacos\n- El Sol, rue Mercière: al pastor\n');
  });

  it.each([
    ['a path climbing out', '{"name":"x","files":[{"path":"../../etc/passwd","content":"x"}]}', 'climbs out'],
    ['an absolute path is kept inside', '{"name":"x","files":[{"path":"/notes/a.md","content":"x"}]}', undefined],
    ['no files', '{"name":"x","files":[]}', 'files'],
    ['prose only', 'Sure! Your workspace has a notes folder.', 'no JSON object'],
    ['garbled JSON', '{"name": "x", "files": [ {"path": }', 'not a JSON object'],
    ['a name that is file and folder', '{"name":"x","files":[{"path":"a","content":"x"},{"path":"a/b.md","content":"y"}]}', 'both a file and a folder'],
  ])('%s', (_, reply, message) => {
    if (message === undefined) {
      expect(readWorkspaceReply(reply).files[0]?.path).toBe('notes/a.md');
      return;
    }
    expect(() => readWorkspaceReply(reply)).toThrow(WorkspaceReplyError);
    expect(() => readWorkspaceReply(reply)).toThrow(message);
  });
});
