/** Three or more line breaks with only blank space between: what is left where a piece of text was cut out. */
const EXTRA_BLANK_LINES = /\n[ \t]*\n(?:[ \t]*\n)+/g;

/** `text` with every run of blank lines left by a cut collapsed to one blank line. */
export function collapseBlankLines(text: string): string {
  return text.replace(EXTRA_BLANK_LINES, '\n\n');
}
