import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { OFFLINE_DATA_DIR } from '../config/offline-configuration.js';
import { createAccessToken, isLoopbackHost } from '../dashboard/access-rule.js';
import { DashboardData } from '../dashboard/dashboard-data.js';
import { startDashboardServer } from '../dashboard/dashboard-server.js';
import { loadPageAssets } from '../dashboard/page-assets.js';

export const DASHBOARD_USAGE = `Usage: npm run dashboard [-- --data-dir DIR | --offline] [--port 8788] [--host HOST]

Serves a live page about the run in DIR: progress and ETA, each provider's use of its limit,
requests, 429s, errors, latency, cost, the quality of the data, the last conversations and the
log's warnings. It reads only the run's files, so it can start and stop at any time, with the
daemon running, finished or dead.

Options:
  -d, --data-dir <dir>  The run's data directory (default: data).
      --offline         The dry run's data directory (${OFFLINE_DATA_DIR}).
  -p, --port <port>     Port to listen on (default: 8788; 0 picks a free one).
      --host <host>     Listen on another interface (e.g. 0.0.0.0 to open it from a phone). Beyond
                        this machine a token is printed at start and required on every request.
  -h, --help            Show this help.

Exit codes: 0 stopped with Ctrl+C or SIGTERM; 1 no data directory, or the port is taken; 2 bad arguments.`;

export interface DashboardCommandIo {
  /** @default process.stdout */
  readonly stdout?: Writable;
  /** @default process.stderr */
  readonly stderr?: Writable;
  /** Relative `--data-dir` values resolve against this. @default process.cwd() */
  readonly cwd?: string;
  /** Stops the server when aborted. @default SIGINT or SIGTERM */
  readonly stop?: AbortSignal;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** `nightshift dashboard …` (argv without the subcommand). Resolves with the exit code once stopped. */
export async function runDashboardCommand(argv: readonly string[], io: DashboardCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let values: { 'data-dir'?: string; offline: boolean; port?: string; host?: string; help: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        'data-dir': { type: 'string', short: 'd' },
        offline: { type: 'boolean', default: false },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values as typeof values;
  } catch (error) {
    stderr.write(`${(error as Error).message}\n\n${DASHBOARD_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    stdout.write(`${DASHBOARD_USAGE}\n`);
    return EXIT_OK;
  }
  const port = Number(values.port ?? 8788);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    stderr.write(`--port: expected a whole number from 0 to 65535, got "${values.port}"\n`);
    return EXIT_USAGE;
  }
  if (values.host !== undefined && values.host.trim() === '') {
    stderr.write('--host: expected an address to listen on (e.g. 0.0.0.0), got an empty string\n');
    return EXIT_USAGE;
  }
  const dataDirectory = path.resolve(io.cwd ?? process.cwd(), values['data-dir'] ?? (values.offline ? OFFLINE_DATA_DIR : 'data'));
  if (!fs.statSync(dataDirectory, { throwIfNoEntry: false })?.isDirectory()) {
    stderr.write(
      `No data directory at ${dataDirectory}: the dashboard reads a run's files and there are none there. ` +
        'Pass the directory the run uses (`npm run dashboard -- --data-dir DIR`), `--offline` for a dry run, or start one with `npm run generate`.\n',
    );
    return EXIT_FAILURE;
  }
  const host = values.host ?? '127.0.0.1';
  const token = isLoopbackHost(host) ? undefined : createAccessToken();
  let server;
  try {
    server = await startDashboardServer({
      data: new DashboardData({ dataDirectory }),
      assets: loadPageAssets(),
      access: { token, loopbackOnly: token === undefined },
      host,
      port,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    stderr.write(
      code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is taken (another dashboard?): pass another with --port, or 0 for any free one.\n`
        : `Could not start the dashboard on ${host}:${port}: ${(error as Error).message}\n`,
    );
    return EXIT_FAILURE;
  }
  stdout.write(`nightshift dashboard for ${dataDirectory}\n`);
  if (token === undefined) {
    stdout.write(`open ${server.url}\n`);
  } else {
    stdout.write(
      `open ${server.url}?token=${token}\n` +
        `(listening on ${host}: every request needs this token; from another machine put this machine's address in place of ${host})\n`,
    );
  }
  stdout.write('Ctrl+C stops the dashboard; the daemon is not affected.\n');
  await waitForStop(io.stop);
  await server.close();
  return EXIT_OK;
}

function waitForStop(stop: AbortSignal | undefined): Promise<void> {
  if (stop !== undefined) {
    return stop.aborted ? Promise.resolve() : new Promise((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  }
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
