import { open } from 'node:fs/promises';

/**
 * fsyncs a directory so a file created or renamed in it survives a power loss. Best effort: some
 * filesystems refuse fsync on directories, and the file's own fsync already holds its data.
 */
export async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: only the name change may be lost on power loss.
  }
}
