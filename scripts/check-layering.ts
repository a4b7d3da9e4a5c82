/**
 * The dependency rules of docs/architecture.md, checked on the source tree rather than policed by
 * review: `cli -> runner -> pipelines -> dispatcher -> providers`, leaves import only `core` and
 * `format`, and only the provider adapters import an LLM SDK.
 *
 * Imports are read with TypeScript's own pre-processor (static, type-only, re-exports and dynamic
 * `import()` alike), so a lazy import cannot slip past. Run `npm run check:layering` for the list;
 * test/architecture/layering.test.ts runs the same check in `npm test`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** What each top-level folder of `src/` may import besides itself. Anything not listed is refused. */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  format: [],
  config: ['core', 'format'],
  tools: ['core', 'format'],
  validate: ['core', 'format'],
  store: ['core', 'format'],
  stats: ['core', 'format'],
  budget: ['core', 'format'],
  // The report reads what the store writes (file names, private-data patterns); nothing reads the report.
  report: ['core', 'format', 'store'],
  providers: ['core'],
  dispatcher: ['core', 'providers'],
  // Pipelines reach models through ModelRequester (a core type), never the dispatcher itself.
  pipelines: ['core', 'format', 'tools', 'validate'],
  // The offline dry run starts the emulator in-process: the one place the daemon reaches it.
  runner: ['core', 'format', 'config', 'tools', 'validate', 'store', 'stats', 'budget', 'dispatcher', 'providers', 'pipelines', 'emulator'],
  // The dashboard reads a run's files (status, logs, output, spend ledger), never the daemon's internals.
  dashboard: ['core', 'format', 'config', 'stats', 'store', 'budget'],
  cli: ['core', 'format', 'config', 'tools', 'validate', 'store', 'stats', 'budget', 'report', 'runner', 'emulator', 'pipelines', 'providers', 'dispatcher', 'dashboard'],
  // The emulator stands for the providers' servers: it knows the wire formats, not the daemon.
  emulator: ['core', 'format'],
};

/** Packages that only the adapters in src/providers may load: everything else goes through ChatProvider. */
const SDK_PACKAGES = ['@mistralai/mistralai', 'together-ai', 'openai', '@huggingface/inference'];

export interface LayeringViolation {
  /** Path relative to the source root, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}

/** Every import in `sourceRoot` that crosses the layering, in file order. */
export function findLayeringViolations(sourceRoot: string): LayeringViolation[] {
  const violations: LayeringViolation[] = [];
  for (const file of sourceFiles(sourceRoot)) {
    const relative = path.relative(sourceRoot, file).split(path.sep).join('/');
    const from = moduleOf(relative);
    const text = readFileSync(file, 'utf8');
    const allowed = ALLOWED_IMPORTS[from];
    for (const { fileName: specifier, pos } of ts.preProcessFile(text, true, true).importedFiles) {
      const line = lineAt(text, pos);
      if (allowed === undefined) {
        violations.push({ file: relative, line, specifier, rule: `src/${from} is not in the module map; add it to ALLOWED_IMPORTS in scripts/check-layering.ts and docs/architecture.md` });
        break;
      }
      if (specifier.startsWith('.')) {
        const target = path.relative(sourceRoot, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
        if (target.startsWith('..')) {
          violations.push({ file: relative, line, specifier, rule: 'imports from outside src/' });
          continue;
        }
        const to = moduleOf(target);
        if (to !== from && !allowed.includes(to)) {
          violations.push({ file: relative, line, specifier, rule: `src/${from} may import only ${describeList(allowed)}, not src/${to}` });
        }
      } else if (from !== 'providers' && SDK_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
        violations.push({ file: relative, line, specifier, rule: 'only src/providers may load an LLM SDK' });
      }
    }
  }
  return violations;
}

/** The top-level folder a path under the source root belongs to (`pipeline` and `pipelines` are one layer). */
function moduleOf(relative: string): string {
  const first = relative.split('/')[0] ?? '';
  return first === 'pipeline' ? 'pipelines' : first;
}

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files.sort();
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let index = 0; index < position; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

function describeList(names: readonly string[]): string {
  return names.length === 0 ? 'nothing' : names.map((name) => `src/${name}`).join(', ');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? 'src');
  const violations = findLayeringViolations(root);
  for (const violation of violations) {
    console.error(`src/${violation.file}:${violation.line}: '${violation.specifier}': ${violation.rule}`);
  }
  console.log(violations.length === 0 ? 'layering: every import points the right way' : `layering: ${violations.length} wrong-way import(s)`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
