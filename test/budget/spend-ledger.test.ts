import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerPath, SpendLedger } from '../../src/budget/index.js';
import { REPOSITORY_ROOT } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('the monthly spend ledger (a real SQLite file)', () => {
  let workspace: { path: string; cleanup: () => void };
  let file: string;
  beforeEach(() => {
    workspace = makeTempDir();
    file = ledgerPath(path.join(workspace.path, 'data'));
  });
  afterEach(() => workspace.cleanup());

  it('settled spend adds up per month and provider, and survives closing and reopening', () => {
    const { ledger } = SpendLedger.open(file);
    const first = ledger.reserve('2026-11', 'mistral', { tokens: 3000, cost: 0.01 });
    const second = ledger.reserve('2026-11', 'mistral', { tokens: 2000, cost: 0.01 });
    const third = ledger.reserve('2026-12', 'together', { tokens: 500, cost: 0 });
    expect(ledger.reserved('2026-11').get('mistral')).toEqual({ tokens: 5000, cost: 0.02 });
    ledger.settle(first, '2026-11', 'mistral', { tokens: 1200, cost: 0.004 });
    ledger.settle(second, '2026-11', 'mistral', { tokens: 0, cost: 0 });
    ledger.settle(third, '2026-12', 'together', { tokens: 400, cost: 0 });
    ledger.close();

    const { ledger: reopened, leftover } = SpendLedger.open(file);
    expect(leftover.requests).toBe(0);
    expect(reopened.spent('2026-11')).toEqual(new Map([['mistral', { tokens: 1200, cost: 0.004 }]]));
    expect(reopened.spent('2026-12')).toEqual(new Map([['together', { tokens: 400, cost: 0 }]]));
    expect(reopened.reserved('2026-11').size).toBe(0);
    reopened.close();
  });

  it('reservations left by a daemon killed mid-request count as spent at their estimate on the next open', () => {
    // A real process that reserves and dies with SIGKILL, as a crash would (the compiled module, as the daemon runs it).
    const script = `
      import { SpendLedger } from ${JSON.stringify(path.join(REPOSITORY_ROOT, 'dist/budget/index.js'))};
      const { ledger } = SpendLedger.open(${JSON.stringify(file)});
      const settled = ledger.reserve('2026-11', 'mistral', { tokens: 1000, cost: 0 });
      ledger.settle(settled, '2026-11', 'mistral', { tokens: 700, cost: 0 });
      ledger.reserve('2026-11', 'mistral', { tokens: 2500, cost: 0.5 });
      ledger.reserve('2026-11', 'together', { tokens: 1500, cost: 0 });
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');

    const reader = SpendLedger.openReadOnly(file)!;
    expect(reader.reserved('2026-11')).toEqual(new Map([['mistral', { tokens: 2500, cost: 0.5 }], ['together', { tokens: 1500, cost: 0 }]]));
    reader.close();

    const { ledger, leftover } = SpendLedger.open(file);
    expect(leftover).toEqual({ requests: 2, tokens: 4000, cost: 0.5 });
    expect(ledger.spent('2026-11')).toEqual(new Map([['mistral', { tokens: 3200, cost: 0.5 }], ['together', { tokens: 1500, cost: 0 }]]));
    expect(ledger.reserved('2026-11').size).toBe(0);
    ledger.close();
  });

  it('the limits of the last run are kept for status, replacing the previous ones', () => {
    const { ledger } = SpendLedger.open(file);
    ledger.writeLimits({ overall: { tokens: 5_000_000, costUsd: 25 }, providers: { mistral: { tokens: 1_000_000_000 } } });
    ledger.writeLimits({ overall: { tokens: 4_000_000 }, providers: { together: { costUsd: 25 } } });
    ledger.close();
    const reader = SpendLedger.openReadOnly(file)!;
    expect(reader.readLimits()).toEqual({ overall: { tokens: 4_000_000 }, providers: { together: { costUsd: 25 } } });
    reader.close();
  });

  it('reading creates nothing where no run recorded spend', () => {
    expect(SpendLedger.openReadOnly(file)).toBeUndefined();
  });
});
