/**
 * `{{placeholder}}` templates, as used in `systemprompts/tester.md`. Filling is a plain lookup:
 * persona text is data and is inserted verbatim, never interpreted.
 */

const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/** Every placeholder the tester prompt may use, filled from the simulated user and the topic. */
export const TESTER_PLACEHOLDERS = ['name', 'age', 'situation', 'interests', 'style', 'topic'] as const;
export type TesterPlaceholder = (typeof TESTER_PLACEHOLDERS)[number];

/** The distinct placeholder names in `template`, in order of first appearance. */
export function findPlaceholders(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] as string;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Replaces each `{{name}}` with `values[name]`; unknown names are left as written. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
    Object.hasOwn(values, name) ? (values[name] as string) : whole,
  );
}
