import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findThinkBlocks,
  findThinkRegions,
  mapOutsideThinking,
  normalizeThinking,
  parseToolCalls,
  removeThinking,
  stripThinking,
  stripToolCalls,
} from '../../src/format/index.js';

const CALL = '<tool_call>{"name": "recall_memories", "arguments": {}}</tool_call>';

describe('one reading of <think> for every reader', () => {
  it('an unclosed block runs to the end: the exports strip it, and a call inside it is no call', () => {
    const text = `Sure.\n<think>I could call ${CALL}`;
    expect(stripThinking(text)).toBe('Sure.\n');
    expect(removeThinking(text)).toBe('Sure.');
    expect(parseToolCalls(text).calls).toEqual([]);
  });

  it('a </think> with no opening tag closes a block from the start (the template put <think> in the prompt)', () => {
    const text = `planning ${CALL}</think>\n\nHere you go.`;
    expect(stripThinking(text)).toBe('Here you go.');
    expect(parseToolCalls(text).calls).toEqual([]);
    expect(normalizeThinking(text)).toBe(`<think>${text}`);
    expect(findThinkBlocks(normalizeThinking(text))).toHaveLength(1);
  });

  it('tags are read case-insensitively and a nested <think> is part of the reasoning', () => {
    const text = '<THINK>a <think> b</Think> reply';
    expect(findThinkRegions(text)).toEqual([{ start: 0, end: 26, innerStart: 7, innerEnd: 18, kind: 'closed' }]);
    expect(stripThinking(text)).toBe('reply');
  });

  it('stripping call markup leaves the reasoning byte for byte, plans included', () => {
    const text = `<think>maybe ${CALL}</think>\n\nLet me look.\n${CALL}`;
    expect(stripToolCalls(text)).toBe(`<think>maybe ${CALL}</think>\n\nLet me look.`);
  });

  it('for any text, what the exports keep holds no reasoning the parser would skip, and calls outside survive only outside', () => {
    const piece = fc.constantFrom('<think>', '</think>', '<THINK>', 'text ', '\n', CALL, ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        const regions = findThinkRegions(text);
        // Regions are ordered, disjoint and inside the text.
        let previousEnd = 0;
        for (const region of regions) {
          expect(region.start).toBeGreaterThanOrEqual(previousEnd);
          expect(region.end).toBeLessThanOrEqual(text.length);
          previousEnd = region.end;
        }
        // Every call the parser finds lies outside the reasoning, so it survives in the outside text.
        const outside = mapOutsideThinking(text, (stretch) => stretch);
        expect(outside).toBe(text);
        const stripped = stripThinking(text);
        expect(parseToolCalls(stripped).calls.length).toBe(parseToolCalls(text).calls.length);
      }),
      { numRuns: 500 },
    );
  });
});
