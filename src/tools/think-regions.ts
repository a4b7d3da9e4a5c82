/**
 * Where the reasoning is in an assistant reply. Tool-call markup there is a plan, not a call.
 */

export interface TextRegion {
  readonly start: number;
  readonly end: number;
}

const THINK_TAG_PATTERN = /<\/?think>/gi;

/**
 * The `<think>…</think>` regions of `text`, in order. An unclosed `<think>` runs to the end of the
 * text (the reply was cut off while reasoning); a `</think>` before any `<think>` closes a region
 * that starts at 0, because chat templates often put the opening tag in the prompt.
 */
export function findThinkRegions(text: string): TextRegion[] {
  const regions: TextRegion[] = [];
  let openAt = -1;
  let sawTag = false;
  THINK_TAG_PATTERN.lastIndex = 0;
  for (let match = THINK_TAG_PATTERN.exec(text); match !== null; match = THINK_TAG_PATTERN.exec(text)) {
    const closing = match[0][1] === '/';
    if (!closing) {
      if (openAt === -1) openAt = match.index;
    } else if (openAt !== -1) {
      regions.push({ start: openAt, end: match.index + match[0].length });
      openAt = -1;
    } else if (!sawTag) {
      regions.push({ start: 0, end: match.index + match[0].length });
    }
    sawTag = true;
  }
  if (openAt !== -1) regions.push({ start: openAt, end: text.length });
  return regions;
}

/**
 * Answers "is this position inside a region?" for positions asked in increasing order, in linear
 * time overall (a reply with thousands of think blocks must not cost thousands squared).
 */
export function createRegionLookup(regions: readonly TextRegion[]): (position: number) => TextRegion | undefined {
  let index = 0;
  return (position) => {
    while (index < regions.length && (regions[index] as TextRegion).end <= position) index++;
    const region = regions[index];
    return region !== undefined && region.start <= position ? region : undefined;
  };
}
