import { describe, expect, it } from 'vitest';
import { ToolNamer } from '../../../src/tools/mcp/tool-names.js';

describe('offered tool names: <server>_<tool>, safe characters, never two alike', () => {
  it('prefixes the server and replaces characters templates and APIs refuse', () => {
    const namer = new ToolNamer();
    expect(namer.name('vault', 'create_directory')).toBe('vault_create_directory');
    expect(namer.name('my vault', 'notes.search')).toBe('my_vault_notes_search');
  });

  it('names that would collide after sanitising, or across the server/tool underscore, get a suffix', () => {
    const namer = new ToolNamer();
    expect(namer.name('a_b', 'c')).toBe('a_b_c');
    expect(namer.name('a', 'b_c')).toBe('a_b_c_2');
    expect(namer.name('a', 'b.c')).toBe('a_b_c_3');
  });

  it('long names are cut to 64 characters and still kept apart', () => {
    const namer = new ToolNamer();
    const long = 'x'.repeat(80);
    const first = namer.name('server', long);
    const second = namer.name('server', `${long}y`);
    expect(first).toHaveLength(64);
    expect(second).toHaveLength(64);
    expect(second).not.toBe(first);
  });
});
