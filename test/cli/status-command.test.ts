import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerPath, SpendLedger } from '../../src/budget/index.js';
import { runStatusCommand } from '../../src/cli/status-command.js';
import { statusFilePath, writeStatusFile } from '../../src/stats/status-file.js';
import { runStatus } from '../stats/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { captureStream } from '../helpers/capture-stream.js';

const NOW = Date.parse('2026-11-22T03:00:10Z');

describe('npm run status: the offline run and the monthly budgets', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
    mkdirSync(path.join(workspace.path, 'data/offline'), { recursive: true });
  });
  afterEach(() => workspace.cleanup());

  async function status(argv: string[]) {
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runStatusCommand(argv, { stdout, stderr, cwd: workspace.path, now: () => NOW, isProcessAlive: () => false });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('--offline reads the dry run in data/offline', async () => {
    await writeStatusFile(statusFilePath(path.join(workspace.path, 'data/offline')), runStatus({ state: 'finished', saved: 20, target: 20 }));
    const result = await status(['--offline']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✅ finished');
  });

  it('with nothing in data but a dry run in data/offline, it says where the dry run is', async () => {
    await writeStatusFile(statusFilePath(path.join(workspace.path, 'data/offline')), runStatus({ state: 'finished' }));
    const result = await status([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('There is a dry run (--offline) in data/offline: `npm run status -- --offline`.');
    // An explicit directory is what the user asked about: no hint there.
    expect((await status(['--data-dir', 'data'])).stderr).not.toContain('data/offline');
  });

  it('shows what is left of each monthly budget, read from the data directory, also as JSON', async () => {
    const dataDir = path.join(workspace.path, 'data');
    await writeStatusFile(statusFilePath(dataDir), runStatus({ state: 'stopped', stopReason: 'SIGINT' }));
    const { ledger } = SpendLedger.open(ledgerPath(dataDir));
    ledger.writeLimits({ overall: { tokens: 5_000_000 }, providers: { together: { costUsd: 25 } } });
    ledger.settle(ledger.reserve('2026-11', 'mistral', { tokens: 90_000, cost: 0 }), '2026-11', 'mistral', { tokens: 1_250_000, cost: 0 });
    ledger.settle(ledger.reserve('2026-11', 'together', { tokens: 90_000, cost: 1 }), '2026-11', 'together', { tokens: 800_000, cost: 3.2 });
    // Last month's spend is not this month's.
    ledger.settle(ledger.reserve('2026-10', 'mistral', { tokens: 1, cost: 0 }), '2026-10', 'mistral', { tokens: 4_000_000, cost: 0 });
    ledger.close();

    const text = await status([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      [
        '💰 Monthly budgets, November 2026 (UTC; resets 2026-12-01):',
        '   overall: 2,050,000 of 5,000,000 tokens used, 2,950,000 left',
        '   mistral: 1,250,000 tokens used (no monthly budget)',
        '   together: $3.20 of $25.00 used, $21.80 left',
      ].join('\n'),
    );

    const json = await status(['--json']);
    expect(JSON.parse(json.stdout).monthlyBudgets).toMatchObject({
      month: '2026-11',
      resetsOn: '2026-12-01',
      overall: { limit: { tokens: 5_000_000 }, used: { tokens: 2_050_000 } },
      providers: { together: { limit: { costUsd: 25 }, used: { tokens: 800_000, cost: 3.2 } } },
    });
  });
});
