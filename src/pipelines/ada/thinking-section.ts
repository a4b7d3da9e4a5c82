/**
 * The thinking instruction of a persona prompt, marked in the file as a section of its own:
 *
 *     <!-- thinking -->
 *     First think, inside `<think>` and `</think>`: …
 *     <!-- /thinking -->
 *
 * The marker lines are not sent to the model; the section's exact text is saved in
 * `metadata.thinkingInstruction`, so `export --strip-thinking` can remove it reliably and a model
 * trained without reasoning is not told to reason.
 */
import { ConfigError } from '../../core/errors.js';

const OPENING_MARKER = '<!-- thinking -->';
const CLOSING_MARKER = '<!-- /thinking -->';

export interface SplitPrompt {
  /** The prompt as sent: the file without the marker lines. */
  readonly prompt: string;
  /** The section's text exactly as it stands in `prompt`; undefined when the file marks none. */
  readonly thinkingInstruction?: string;
}

function linesMatching(lines: readonly string[], marker: string): number[] {
  return lines.flatMap((line, index) => (line.trim() === marker ? [index] : []));
}

/** @throws ConfigError when the markers are unpaired, repeated or out of order. */
export function splitThinkingSection(text: string, filePath: string): SplitPrompt {
  const lines = text.split('\n');
  const openings = linesMatching(lines, OPENING_MARKER);
  const closings = linesMatching(lines, CLOSING_MARKER);
  if (openings.length === 0 && closings.length === 0) return { prompt: text };
  const [open] = openings;
  const [close] = closings;
  if (openings.length !== 1 || closings.length !== 1 || open === undefined || close === undefined || close < open) {
    throw new ConfigError(
      `The prompt file ${filePath} marks its thinking instruction wrongly: expected one line \`${OPENING_MARKER}\` and, after it, one line \`${CLOSING_MARKER}\` around the instruction; found ${openings.length} opening and ${closings.length} closing marker line(s)${open !== undefined && close !== undefined && close < open ? ' in the wrong order' : ''}. Fix the markers or remove both.`,
    );
  }
  const inside = lines.slice(open + 1, close);
  const prompt = [...lines.slice(0, open), ...inside, ...lines.slice(close + 1)].join('\n');
  // The section is followed by more text, so it owns the newline that ends its last line.
  const section = inside.length === 0 ? '' : `${inside.join('\n')}${close + 1 < lines.length ? '\n' : ''}`;
  return section.trim().length === 0 ? { prompt } : { prompt, thinkingInstruction: section };
}
