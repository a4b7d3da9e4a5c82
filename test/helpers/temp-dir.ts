import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the OS temp dir; removed by the returned cleanup. */
export function makeTempDir(prefix = 'nightshift-'): { path: string; cleanup: () => void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: directory, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Every file below a directory with its size and mtime, to prove nothing was written. */
export function snapshotTree(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = statSync(full);
        result[path.relative(root, full)] = `${stat.size}:${stat.mtimeMs}`;
      }
    }
  };
  walk(root);
  return result;
}
