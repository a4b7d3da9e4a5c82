import { describe, expect, it } from 'vitest';
import { renderToolsBlock } from '../../src/format/index.js';
import { ADA_TOOL_SCHEMAS } from '../../src/tools/index.js';

describe('the Hermes <tools> block of a system prompt', () => {
  it('holds one tool per line, in the spacing of the chat templates\' tojson, and parses back', () => {
    const block = renderToolsBlock(ADA_TOOL_SCHEMAS);
    const lines = block.split('\n');
    expect(lines[0]).toBe('<tools>');
    expect(lines.at(-1)).toBe('</tools>');
    expect(lines.slice(1, -1).map((line) => JSON.parse(line))).toEqual(ADA_TOOL_SCHEMAS);
    expect(lines[1]).toMatch(/^\{"type": "function", "function": \{"name": "add_memory", "description": /);
  });
});
