/**
 * vitest globalSetup: the tests spawn the daemon as users run it (`node dist/cli/main.js`), so
 * `dist/` must be compiled from the sources under test. Built once per `vitest run`, and only when
 * a source or build setting is newer than the last build (tsc's incremental state file), so running
 * one test file costs nothing when nothing changed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPOSITORY_ROOT } from './run-cli.js';

/** Written by tsc at every build (`tsBuildInfoFile` in tsconfig.build.json). */
const BUILD_STAMP = path.join(REPOSITORY_ROOT, 'dist/.tsbuildinfo');
const BUILD_INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const TSC = path.join(REPOSITORY_ROOT, 'node_modules/typescript/bin/tsc');

export default function buildDist(): void {
  if (existsSync(BUILD_STAMP) && newestModification(BUILD_INPUTS.map((input) => path.join(REPOSITORY_ROOT, input))) <= statSync(BUILD_STAMP).mtimeMs) return;
  const startedAt = performance.now();
  try {
    execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: REPOSITORY_ROOT, stdio: 'pipe' });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building dist/ failed (npm run build); the daemon the tests spawn would be stale:\n${String(output.stdout ?? '')}${String(output.stderr ?? '')}`);
  }
  process.stderr.write(`built dist/ in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

function newestModification(entries: readonly string[]): number {
  let newest = 0;
  for (const entry of entries) {
    const stats = statSync(entry);
    newest = Math.max(newest, stats.mtimeMs);
    if (stats.isDirectory()) newest = Math.max(newest, newestModification(readdirSync(entry).map((name) => path.join(entry, name))));
  }
  return newest;
}
