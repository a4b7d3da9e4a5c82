/**
 * Where the reasoning is in a model reply: the one walk over `<think>` tags every reader of the
 * format shares (the tool-call parser, the thinking rewrite, the exports), so they never disagree
 * about what is reasoning. Tool-call markup inside a region is a plan, not a call.
 */

export interface TextRegion {
  readonly start: number;
  readonly end: number;
}

/** A region with where its reasoning lies between the tags. */
export interface ThinkRegion extends TextRegion {
  readonly innerStart: number;
  readonly innerEnd: number;
  /** `closed`: `<think>…</think>`; `orphan`: a `</think>` with no opening tag; `unclosed`: runs to the end. */
  readonly kind: 'closed' | 'orphan' | 'unclosed';
}

const THINK_TAG_PATTERN = /<\/?think>/gi;

/**
 * The `<think>…</think>` regions of `text`, in order. An unclosed `<think>` runs to the end of the
 * text (the reply was cut off while reasoning); a `</think>` before any `<think>` closes a region
 * that starts at 0, because chat templates often put the opening tag in the prompt. Tags nested
 * inside an open region are part of its reasoning.
 */
export function findThinkRegions(text: string): ThinkRegion[] {
  const regions: ThinkRegion[] = [];
  let openAt = -1;
  let innerStart = -1;
  let sawTag = false;
  THINK_TAG_PATTERN.lastIndex = 0;
  for (let match = THINK_TAG_PATTERN.exec(text); match !== null; match = THINK_TAG_PATTERN.exec(text)) {
    const closing = match[0][1] === '/';
    const end = match.index + match[0].length;
    if (!closing) {
      if (openAt === -1) {
        openAt = match.index;
        innerStart = end;
      }
    } else if (openAt !== -1) {
      regions.push({ start: openAt, end, innerStart, innerEnd: match.index, kind: 'closed' });
      openAt = -1;
    } else if (!sawTag) {
      regions.push({ start: 0, end, innerStart: 0, innerEnd: match.index, kind: 'orphan' });
    }
    sawTag = true;
  }
  if (openAt !== -1) regions.push({ start: openAt, end: text.length, innerStart, innerEnd: text.length, kind: 'unclosed' });
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

/**
 * `text` with `transform` applied to every stretch outside the reasoning; the regions are kept
 * byte for byte.
 */
export function mapOutsideThinking(text: string, transform: (outside: string) => string): string {
  let result = '';
  let cursor = 0;
  for (const region of findThinkRegions(text)) {
    result += transform(text.slice(cursor, region.start)) + text.slice(region.start, region.end);
    cursor = region.end;
  }
  return result + transform(text.slice(cursor));
}
