import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { EMULATOR_HELP, runEmulatorCommand } from '../../src/emulator/emulator-command.js';

interface RunningCommand {
  readonly output: () => string;
  readonly env: Record<string, string>;
  readonly stopped: Promise<void>;
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
  it('prints pasteable base URLs for every provider, serves them, and closes cleanly when stopped', async () => {
    const run = await runUntilListening(['--port', '0', '--seed', '7', '--rps', '50', '--fault-500', '0', '--tool-call-format', 'plain']);
    expect(Object.keys(run.env).sort()).toEqual(['HF_BASE_URL', 'MISTRAL_BASE_URL', 'OPENAI_COMPATIBLE_BASE_URL', 'TOGETHER_BASE_URL']);
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
    await run.stopped;
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

  it('a bad flag or value is a ConfigError that says what is wrong', async () => {
    await expect(runEmulatorCommand(['--bogus'])).rejects.toBeInstanceOf(ConfigError);
    await expect(runEmulatorCommand(['--rps', 'fast'])).rejects.toThrow('Expected --rps to be a number, got "fast".');
    await expect(runEmulatorCommand(['--fault-500', '1.5'])).rejects.toThrow(/defaults\.faults\.rate500.*<= 1/);
    await expect(runEmulatorCommand(['--tool-call-format', 'xml'])).rejects.toThrow(/toolCallFormat/);
    await expect(runEmulatorCommand(['--fault-stall', '2'])).rejects.toThrow(/defaults\.faults\.rateStall.*<= 1/);
    await expect(runEmulatorCommand(['--latency-ms', '100', '--latency-first-chunk', '1.5'])).rejects.toThrow(/firstChunkShare.*<= 1/);
    await expect(runEmulatorCommand(['--stream-chunk-chars', '0'])).rejects.toThrow(/streamChunkCharacters.*>= 1/);
  });
});
