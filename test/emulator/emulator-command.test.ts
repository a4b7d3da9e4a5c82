import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EMULATOR_HELP, runEmulatorCommand } from '../../src/emulator/emulator-command.js';
import { serveOnLoopback } from '../helpers/loopback-server.js';
import { readConversations, readLogRecords, spawnDaemon } from '../helpers/daemon.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface RunningCommand {
  readonly output: () => string;
  readonly env: Record<string, string>;
  readonly stopped: Promise<number>;
  /** Stops the command as SIGINT would. */
  readonly stop: () => void;
}

/** Runs the command until it has printed the last base URL. */
async function runUntilListening(argv: string[]): Promise<RunningCommand> {
  const controller = new AbortController();
  let output = '';
  let announce: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => {
    announce = resolve;
  });
  const stopped = runEmulatorCommand(argv, {
    signal: controller.signal,
    write: (text) => {
      output += text;
      if (output.includes('OPENAI_COMPATIBLE_BASE_URL=')) announce();
    },
  });
  await Promise.race([listening, stopped]);
  const env = Object.fromEntries(
    output
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return { output: () => output, env, stopped, stop: () => controller.abort() };
}

describe('npm run emulator', () => {
  it('prints pasteable base URLs and dummy keys for every provider, serves them, and closes cleanly when stopped', async () => {
    const run = await runUntilListening(['--port', '0', '--seed', '7', '--rps', '50', '--fault-500', '0', '--tool-call-format', 'plain']);
    expect(Object.keys(run.env).sort()).toEqual([
      'HF_BASE_URL',
      'HF_TOKEN',
      'MISTRAL_API_KEY',
      'MISTRAL_BASE_URL',
      'OPENAI_COMPATIBLE_API_KEY',
      'OPENAI_COMPATIBLE_BASE_URL',
      'TOGETHER_API_KEY',
      'TOGETHER_BASE_URL',
    ]);
    expect(run.env.MISTRAL_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mistral$/);
    expect(run.env.TOGETHER_BASE_URL).toMatch(/\/together\/v1$/);
    expect(run.env.HF_BASE_URL).toMatch(/\/huggingface$/);
    const reply = await fetch(`${run.env.OPENAI_COMPATIBLE_BASE_URL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret-key-xyz' },
      body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'I just got a dog.' }] }),
    });
    expect(reply.status).toBe(200);
    run.stop();
    expect(await run.stopped).toBe(0);
    expect(run.output()).toContain('closed');
    expect(run.output()).not.toContain('secret-key-xyz');
    await expect(fetch(run.env.MISTRAL_BASE_URL ?? '')).rejects.toThrow();
  });

  it('as a process, it stays up until SIGTERM and then exits 0', async () => {
    const commandPath = fileURLToPath(new URL('../../src/emulator/emulator-command.ts', import.meta.url));
    const script = `const m = await import(${JSON.stringify(commandPath)}); await m.runEmulatorCommand(['--port', '0']);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('OPENAI_COMPATIBLE_BASE_URL=')) resolve();
      });
      void exited.then(() => reject(new Error(`exited before listening: ${output}`)));
    });
    const counters = output.match(/counters at (\S+)/)?.[1] ?? '';
    expect((await fetch(counters)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('# nightshift emulator closed');
  });

  it('--help prints every flag and starts nothing', async () => {
    let output = '';
    await runEmulatorCommand(['--help'], { write: (text) => (output += text) });
    expect(output).toBe(EMULATOR_HELP);
    for (const flag of ['--port', '--seed', '--rps', '--latency-ms', '--latency-first-chunk', '--stream-chunk-chars', '--fault-429', '--fault-hang', '--fault-stall', '--fault-tester-leak', '--lenient']) {
      expect(output).toContain(flag);
    }
  });

  it('a bad flag or value is one line that says what is wrong, and exit code 2', async () => {
    const refuse = async (argv: string[]) => {
      let errors = '';
      const code = await runEmulatorCommand(argv, { write: () => undefined, writeError: (text) => (errors += text) });
      expect(code).toBe(2);
      expect(errors.trim().split('\n')).toHaveLength(1);
      return errors;
    };
    expect(await refuse(['--bogus'])).toMatch(/^emulator: Unknown option '--bogus'/);
    expect(await refuse(['--rps', 'fast'])).toContain('Expected --rps to be a number, got "fast".');
    expect(await refuse(['--fault-500', '1.5'])).toMatch(/defaults\.faults\.rate500.*<= 1/);
    expect(await refuse(['--tool-call-format', 'xml'])).toMatch(/toolCallFormat/);
    expect(await refuse(['--fault-stall', '2'])).toMatch(/defaults\.faults\.rateStall.*<= 1/);
    expect(await refuse(['--latency-ms', '100', '--latency-first-chunk', '1.5'])).toMatch(/firstChunkShare.*<= 1/);
    expect(await refuse(['--stream-chunk-chars', '0'])).toMatch(/streamChunkCharacters.*>= 1/);
  });

  it('a port in use is one line naming the port and --port 0, not a stack trace', async () => {
    const busy = await serveOnLoopback(() => undefined);
    try {
      let errors = '';
      const code = await runEmulatorCommand(['--port', String(busy.port)], { write: () => undefined, writeError: (text) => (errors += text) });
      expect(code).toBe(2);
      expect(errors).toBe(`emulator: port ${busy.port} is in use; try --port 0 (any free port) or another --port\n`);
    } finally {
      await busy.close();
    }
  });

  it('its lines pasted into .env as they are make a working configuration, with no secrets.json', async () => {
    const run = await runUntilListening(['--port', '0', '--seed', '3']);
    const workspace = makeTempDir();
    try {
      writeFileSync(path.join(workspace.path, '.env'), run.output());
      const daemon = spawnDaemon(['--target', '2', '--progress-interval', '1'], { cwd: workspace.path });
      const { code } = await daemon.exited;
      expect(code, daemon.output().slice(-3000)).toBe(0);
      const dataDir = path.join(workspace.path, 'data');
      expect(readConversations(path.join(dataDir, 'trainingData', 'conversations.jsonl'))).toHaveLength(2);
      const start = readLogRecords(dataDir).find((record) => String(record.msg).startsWith('starting:'));
      expect(start?.providers).toEqual(['mistral', 'together', 'huggingface', 'openai_compatible']);
    } finally {
      run.stop();
      await run.stopped;
      workspace.cleanup();
    }
  });
});
