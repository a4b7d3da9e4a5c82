import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

/**
 * The process environment over a `.env` file in `cwd` (dotenv's rule: a variable already set
 * wins). Returned as a copy; `process.env` is left alone.
 */
export function loadEnvironment(cwd: string, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? dotenv.parse(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}
