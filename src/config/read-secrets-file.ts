import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import type { ConfigurationInput } from './configuration.js';
import { describeJsonError, locateJsonPath } from './json-location.js';
import { describeValue, secretsSchema, type SecretsFile } from './secrets-schema.js';
import { MissingSecretsError } from './secrets-template.js';

export interface SecretsSource {
  readonly secretsPath: string;
  /** The path as the user would type it (relative to the working directory when inside it). */
  readonly displayPath: string;
  readonly input: ConfigurationInput;
  /** Whether some provider can run without the file: a key or a local server in the environment or flags. */
  readonly usableWithoutFile: boolean;
}

/** The file's checked contents, and its text: a later check against the pipeline's roles points into it too. */
export interface SecretsRead {
  readonly secrets: SecretsFile;
  /** Undefined when there was no file. */
  readonly text: string | undefined;
}

/**
 * The secrets file, parsed and checked against the schema, or `{}` when it is absent but the
 * environment is enough. Every problem names the file, the key, and the line and column.
 */
export function readSecretsFile(source: SecretsSource): SecretsRead {
  const { secretsPath, displayPath, input } = source;
  if (!existsSync(secretsPath)) {
    if (input.configPath !== undefined) {
      throw new ConfigError(`The configuration file ${displayPath} (from --config) does not exist. Check the path.`);
    }
    if (source.usableWithoutFile) return { secrets: {}, text: undefined };
    throw new MissingSecretsError(secretsPath, displayPath);
  }
  const text = readFileSync(secretsPath, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const problem = describeJsonError(error, text);
    const where = problem.line ? ` at line ${problem.line}, column ${problem.column}` : '';
    throw new ConfigError(
      `${displayPath} is not valid JSON${where}: ${problem.description}.\n` +
        `Fix the file (compare with secrets.example.json); keys and strings need double quotes and no trailing commas.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${displayPath} must hold a JSON object like {"mistral_api_key": "..."}, got ${describeValue(parsed)}.`);
  }
  const result = secretsSchema.safeParse(parsed);
  if (!result.success) {
    throw schemaProblems(result.error.issues, text, displayPath, 'See the configuration reference in README.md.');
  }
  return { secrets: result.data, text };
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly keys?: readonly string[];
}

/** Every problem a schema found in a JSON file, in the order of the file (as an editor lists them), then `hint`. */
export function schemaProblems(issues: readonly Issue[], text: string, displayPath: string, hint: string): ConfigError {
  const lines = issues
    .map((issue) => describeIssue(issue, text, displayPath))
    .sort((left, right) => left.position - right.position)
    .map((issue) => `  ${issue.text}`);
  return new ConfigError(`${displayPath} has ${lines.length === 1 ? 'a problem' : 'problems'}:\n${lines.join('\n')}\n${hint}`);
}

/**
 * `data/secrets.json:5:24: providers.mistral.max_concurrency: expected …`: the form editors and
 * terminals turn into a link to the spot. An unknown key points at the key itself.
 */
export function describeIssue(issue: Issue, text: string, displayPath: string): { readonly text: string; readonly position: number } {
  const unknownKey = issue.code === 'unrecognized_keys' && issue.keys !== undefined && issue.keys.length > 0;
  const keyPath = unknownKey ? [...issue.path, issue.keys![0]!] : issue.path;
  const location = locateJsonPath(text, keyPath, unknownKey);
  const where = location === undefined ? displayPath : `${displayPath}:${location.line}:${location.column}`;
  const name = issue.path.map(String).join('.') || '(top level)';
  // Lines are far shorter than this, so line then column sort as one number.
  const position = location === undefined ? 0 : location.line * 1_000_000 + location.column;
  return { text: `${where}: ${name}: ${issue.message}`, position };
}
