import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findLayeringViolations } from '../../scripts/check-layering.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SOURCE = path.resolve(import.meta.dirname, '../../src');

describe('the module map holds in the code', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  /** A copy of src/ to plant imports in, so the real tree is never touched. */
  const copyOfSource = () => {
    const temp = makeTempDir('nightshift-layering-');
    cleanups.push(temp.cleanup);
    const root = path.join(temp.path, 'src');
    cpSync(SOURCE, root, { recursive: true });
    return root;
  };

  const plant = (root: string, file: string, line: string) => {
    const full = path.join(root, file);
    writeFileSync(full, `${readFileSync(full, 'utf8')}\n${line}\n`);
  };

  it('every import in src/ points the way docs/architecture.md says', () => {
    expect(findLayeringViolations(SOURCE)).toEqual([]);
  });

  it('a dispatcher importing the runner is named with its file, line and the rule it breaks', () => {
    const root = copyOfSource();
    plant(root, 'dispatcher/dispatcher.ts', "import '../runner/start-generation.js';");
    const violations = findLayeringViolations(root);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      file: 'dispatcher/dispatcher.ts',
      specifier: '../runner/start-generation.js',
      rule: expect.stringContaining('not src/runner'),
    });
    expect(violations[0]!.line).toBe(readFileSync(path.join(root, 'dispatcher/dispatcher.ts'), 'utf8').split('\n').length - 1);
  });

  it('a leaf importing a sibling leaf, a lazy import() and a type-only import are caught alike', () => {
    const root = copyOfSource();
    plant(root, 'store/conversation-store.ts', "import type { RunStats } from '../stats/run-stats.js';");
    plant(root, 'tools/run-tool.ts', "export const later = () => import('../dispatcher/index.js');");
    plant(root, 'format/thinking.ts', "export { randomUUID } from '../config/configuration.js';");
    expect(findLayeringViolations(root).map((violation) => `${violation.file} -> ${violation.specifier}`)).toEqual([
      'format/thinking.ts -> ../config/configuration.js',
      'store/conversation-store.ts -> ../stats/run-stats.js',
      'tools/run-tool.ts -> ../dispatcher/index.js',
    ]);
  });

  it('an LLM SDK loaded outside src/providers is refused', () => {
    const root = copyOfSource();
    plant(root, 'dispatcher/dispatcher.ts', "import OpenAI from 'openai';");
    expect(findLayeringViolations(root)).toEqual([
      expect.objectContaining({ file: 'dispatcher/dispatcher.ts', specifier: 'openai', rule: 'only src/providers may load an LLM SDK' }),
    ]);
  });

  it('a new top-level folder must be placed in the map before it can import anything', () => {
    const root = copyOfSource();
    cpSync(path.join(root, 'core'), path.join(root, 'reports'), { recursive: true });
    plant(root, 'reports/random.ts', "import '../core/types.js';");
    expect(findLayeringViolations(root).map((violation) => violation.file)).toContain('reports/random.ts');
  });
});
