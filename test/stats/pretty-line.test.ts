import { describe, expect, it } from 'vitest';
import { formatPrettyLine } from '../../src/stats/pretty-line.js';

const time = '2026-11-22T01:02:03.000Z';

describe('formatPrettyLine', () => {
  it('prints the level, the message and the extra fields, hiding pid and hostname', () => {
    const line = JSON.stringify({ level: 40, time, pid: 1, hostname: 'h', msg: 'slow provider', provider: 'together', ms: 5100 });
    expect(formatPrettyLine(line)).toMatch(/^\d\d:\d\d:\d\d WARN  slow provider provider=together ms=5100\n$/);
  });

  it('passes a line that is not JSON through unchanged, so nothing is lost', () => {
    expect(formatPrettyLine('not json at all')).toBe('not json at all\n');
  });

  it('prints the end-of-run summary text as it is', () => {
    const line = JSON.stringify({ level: 30, time, msg: 'run summary', summary: '🏁 Run summary: 10/10\n   stopped: target reached' });
    expect(formatPrettyLine(line)).toMatch(/^\d\d:\d\d:\d\d 🏁 Run summary: 10\/10\n {3}stopped: target reached\n$/);
  });

  it('prints a progress line that lacks progress fields generically instead of failing', () => {
    const line = JSON.stringify({ level: 30, time, msg: 'progress', saved: 3 });
    expect(formatPrettyLine(line)).toMatch(/INFO {2}progress saved=3\n$/);
  });
});
