import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN, runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { fetchText } from './dashboard-fixture.js';

/** `nightshift dashboard <args>` as npm runs it; resolves once it printed the address to open. */
function startDashboardProcess(args: string[], cwd: string) {
  const child = spawn(process.execPath, [MAIN, 'dashboard', ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const address = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /open (http\S+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the dashboard exited (${child.exitCode}): ${output}`));
      }
    }, 50);
  });
  return { child, exited, address, output: () => output };
}

describe('npm run dashboard', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
  const workspace = () => {
    const temp = makeTempDir('nightshift-dashboard-cli-');
    cleanups.push(temp.cleanup);
    return temp.path;
  };

  it('a data directory that does not exist is a clear error, exit 1, and nothing is created', async () => {
    const cwd = workspace();
    const result = await runCli(['dashboard', '--data-dir', 'no-such-run'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No data directory at ${path.join(cwd, 'no-such-run')}`);
    expect(result.stderr).toContain('--data-dir DIR');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a port that is not a port is a usage error naming the flag, exit 2', async () => {
    const result = await runCli(['dashboard', '--port', 'eighty'], { cwd: workspace() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port: expected a whole number from 0 to 65535, got "eighty"');
  });

  it('by default it listens on 127.0.0.1 without a token, and SIGTERM stops it with exit 0', async () => {
    const cwd = workspace();
    mkdirSync(path.join(cwd, 'data'));
    const dashboard = startDashboardProcess(['--port', '0'], cwd);
    try {
      const address = await dashboard.address;
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const snapshot = await fetchText(`${address}snapshot.json`);
      expect(snapshot.status).toBe(200);
      expect(JSON.parse(snapshot.body)).toMatchObject({ condition: 'waiting', status: null });
      dashboard.child.kill('SIGTERM');
      expect(await dashboard.exited).toBe(0);
    } finally {
      dashboard.child.kill('SIGKILL');
    }
  });

  it('--host beyond loopback prints a token at start and refuses every request without it', async () => {
    const cwd = workspace();
    mkdirSync(path.join(cwd, 'data'));
    const dashboard = startDashboardProcess(['--port', '0', '--host', '0.0.0.0'], cwd);
    try {
      const address = await dashboard.address;
      const match = /^http:\/\/0\.0\.0\.0:(\d+)\/\?token=([\w-]{20,})$/.exec(address);
      expect(match, address).not.toBeNull();
      const [, port, token] = match!;
      expect(dashboard.output()).toContain('every request needs this token');
      expect((await fetchText(`http://127.0.0.1:${port}/snapshot.json`)).status).toBe(401);
      expect((await fetchText(`http://127.0.0.1:${port}/`)).status).toBe(401);
      expect((await fetchText(`http://127.0.0.1:${port}/snapshot.json?token=${token}`)).status).toBe(200);
    } finally {
      dashboard.child.kill('SIGTERM');
      await dashboard.exited;
    }
  });
});
