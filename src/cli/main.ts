#!/usr/bin/env node
/**
 * The one entry point: `generate`, `status`, `export`, `report`, `dashboard`, `emulator`. Exit codes: 0 done (or stopped
 * cleanly), 1 failure, 2 configuration error (nothing was written).
 */
import { runGenerateCommand } from './generate-command.js';

const COMMANDS: Readonly<Record<string, (argv: string[]) => Promise<number | void>>> = {
  generate: runGenerateCommand,
  status: async (argv) => (await import('./status-command.js')).runStatusCommand(argv),
  export: async (argv) => (await import('./export-command.js')).runExportCommand(argv),
  dashboard: async (argv) => (await import('./dashboard-command.js')).runDashboardCommand(argv),
  report: async (argv) => (await import('./report-command.js')).runReportCommand(argv),
  emulator: async (argv) => (await import('../emulator/emulator-command.js')).runEmulatorCommand(argv),
};

async function main(): Promise<void> {
  const [command, ...argv] = process.argv.slice(2);
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    process.stderr.write(`Usage: nightshift <${Object.keys(COMMANDS).join('|')}> [options]   (try --help after a command)\n`);
    process.exitCode = 2;
    return;
  }
  const code = await run(argv);
  process.exitCode = typeof code === 'number' ? code : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`nightshift: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
