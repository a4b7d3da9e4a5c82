/**
 * `src/validate` is a leaf (DESIGN.md): besides Node's modules and its SQLite driver it imports only
 * `src/core` and `src/format`, so any pipeline, the store and the report can use it without a cycle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const VALIDATE = path.resolve(import.meta.dirname, '../../src/validate');
const IMPORT_PATTERN = /^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm;
const ALLOWED_PACKAGES = new Set(['better-sqlite3']);

it('src/validate imports nothing from src/ but core and format', () => {
  const outside: string[] = [];
  const files = fs.readdirSync(VALIDATE).filter((name) => name.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(5);
  for (const name of files) {
    const text = fs.readFileSync(path.join(VALIDATE, name), 'utf8');
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('node:') || ALLOWED_PACKAGES.has(specifier)) continue;
      if (specifier.startsWith('./') && !specifier.slice(2).includes('/')) continue;
      if (/^\.\.\/(?:core|format)\//.test(specifier)) continue;
      outside.push(`${name}: ${specifier}`);
    }
  }
  expect(outside).toEqual([]);
});
