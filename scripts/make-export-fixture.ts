/**
 * Regenerates test/fixtures/store/daemon-conversations.jsonl: the output of a real daemon run
 * (`nightshift generate --offline`, the built-in emulator, a fixed seed) for the export tests.
 *
 *   npx tsx scripts/make-export-fixture.ts
 *
 * The seed fixes the users, topics and the emulator's scripted model, but ids (random UUIDs),
 * timestamps and which conversation ends up on which line vary between runs, so the tests check
 * what the exports must do with whatever the daemon wrote, not exact ids.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(REPOSITORY_ROOT, 'test/fixtures/store/daemon-conversations.jsonl');
const TSX_LOADER = pathToFileURL(path.join(REPOSITORY_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Enough conversations that every tool-call format and a multi-call reply show up; few users, so recalls find memories. */
const GENERATE_ARGUMENTS = ['--offline', '--seed', '7', '--target', '10', '--users', '8', '--turns', '2-3', '--concurrency', '3', '--quiet'];

function runDaemon(dataDir: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, path.join(REPOSITORY_ROOT, 'src/cli/main.ts'), 'generate', ...GENERATE_ARGUMENTS, '--data-dir', dataDir],
      { cwd: REPOSITORY_ROOT, stdio: 'inherit' },
    );
    child.on('error', reject);
    child.on('close', resolve);
  });
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-fixture-'));
try {
  const code = await runDaemon(dataDir);
  if (code !== 0) throw new Error(`nightshift generate exited with ${String(code)}`);
  copyFileSync(path.join(dataDir, 'trainingData', 'conversations.jsonl'), FIXTURE);
  console.log(`wrote ${path.relative(REPOSITORY_ROOT, FIXTURE)} (nightshift generate ${GENERATE_ARGUMENTS.join(' ')})`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
