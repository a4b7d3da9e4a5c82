import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGenerateCommand } from '../../src/cli/generate-command.js';
import { parseConversationLine } from '../../src/format/index.js';
import { PIPELINES } from '../../src/pipelines/registry.js';
import { createEchoPipeline } from '../fixtures/pipelines/echo/echo-pipeline.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Everything written to it, as text. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('a second pipeline, added to the registry by a test, runs through the real runner', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
  });
  afterEach(() => workspace.cleanup());

  function generate(argv: readonly string[], registry = PIPELINES) {
    const stdout = capture();
    const stderr = capture();
    const io = { cwd: workspace.path, env: {}, stdout: stdout.stream, stderr: stderr.stream };
    return runGenerateCommand(argv, io, registry).then((code) => ({ code, stdout: stdout.text(), stderr: stderr.text() }));
  }

  it('--pipeline echo --offline saves exactly the target, one echo request each, and progress and stats count them', async () => {
    const echo = createEchoPipeline();
    const dataDir = path.join(workspace.path, 'data');
    const result = await generate(
      ['--pipeline', 'echo', '--offline', '--target', '6', '--data-dir', dataDir, '--echo-phrase', 'repeat after me', '--log-format', 'json'],
      PIPELINES.with(echo.pipeline),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const lines = readFileSync(path.join(dataDir, 'trainingData/conversations.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(6);
    const saved = lines.map((line) => {
      const parsed = parseConversationLine(line);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.conversation;
    });
    for (const conversation of saved) {
      const [question, answer] = conversation.conversations;
      expect(question).toEqual({ role: 'user', content: `repeat after me (${conversation.id})` });
      // The emulator's generic reply for a role it does not script quotes what it was asked.
      expect(answer).toEqual({ role: 'assistant', content: `Scripted echo reply to: repeat after me (${conversation.id})` });
      expect(conversation.metadata).toMatchObject({ pipeline: 'echo', dryRun: true, model: 'offline-echo' });
    }

    // Every saved line was committed once, after its fsync; nothing was rolled back; resources closed.
    expect([...echo.settlements.committed].sort()).toEqual(saved.map((conversation) => conversation.id).sort());
    expect(echo.settlements.rolledBack).toEqual([]);
    expect(echo.settlements).toMatchObject({ opened: 1, closed: 1 });

    const status = JSON.parse(readFileSync(path.join(dataDir, 'status.json'), 'utf8'));
    expect(status).toMatchObject({ state: 'finished', saved: 6, target: 6, savedThisRun: 6 });
    const servedByProviders = Object.values(status.providers as Record<string, { conversations: number }>).reduce((sum, provider) => sum + provider.conversations, 0);
    expect(servedByProviders).toBe(6);
    expect(status.toolCalls).toEqual({});
    const start = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).find((record) => record.pipeline !== undefined);
    expect(start).toMatchObject({ pipeline: 'echo', dryRun: true, target: 6 });
  });

  it('a restart resumes toward the same target and opens the pipeline again only when there is work', async () => {
    const echo = createEchoPipeline();
    const registry = PIPELINES.with(echo.pipeline);
    const dataDir = path.join(workspace.path, 'data');
    const base = ['--pipeline', 'echo', '--offline', '--data-dir', dataDir, '--log-format', 'json'];
    expect((await generate([...base, '--target', '2'], registry)).code).toBe(0);
    expect((await generate([...base, '--target', '3'], registry)).code).toBe(0);
    expect((await generate([...base, '--target', '3'], registry)).code).toBe(0);
    const lines = readFileSync(path.join(dataDir, 'trainingData/conversations.jsonl'), 'utf8').split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(3);
    expect(echo.settlements).toMatchObject({ opened: 2, closed: 2 });
    expect(echo.settlements.committed).toHaveLength(3);
  });

  it('--help of the echo pipeline lists its own flag, not Ada’s', async () => {
    const echo = createEchoPipeline();
    const result = await generate(['--pipeline', 'echo', '--help'], PIPELINES.with(echo.pipeline));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Options of the echo pipeline (one request, its reply saved as it came (tests only)):');
    expect(result.stdout).toContain('--echo-phrase TEXT          what every conversation asks (default: say something back)');
    expect(result.stdout).not.toContain('--max-tool-rounds');
    expect(result.stdout).toContain('--pipeline NAME             what to generate: ada, selfplay, echo (default: ada)');
  });

  it('Ada’s flags are refused under another pipeline, with the way to see the right ones', async () => {
    const echo = createEchoPipeline();
    const result = await generate(['--pipeline', 'echo', '--offline', '--turns', '1-2', '--data-dir', path.join(workspace.path, 'data')], PIPELINES.with(echo.pipeline));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--turns'");
    expect(result.stderr).toContain('Run with --help to see every flag.');
  });
});

describe('--pipeline NAME', () => {
  let workspace: { path: string; cleanup: () => void };
  beforeEach(() => {
    workspace = makeTempDir();
  });
  afterEach(() => workspace.cleanup());

  it('an unknown name is a configuration error (exit 2) that lists the known pipelines, and writes nothing', async () => {
    const stderr = capture();
    const stdout = capture();
    const dataDir = path.join(workspace.path, 'data');
    const code = await runGenerateCommand(['--pipeline', 'selfpaly', '--offline', '--data-dir', dataDir], {
      cwd: workspace.path,
      env: {},
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    expect(code).toBe(2);
    expect(stderr.text()).toBe(
      'Configuration error: --pipeline: unknown pipeline "selfpaly"; known pipelines:\n' +
        '  - ada: a simulated user talks with Ada, who uses real memory and diary tools; her reasoning is rewritten\n' +
        '  - selfplay: a workspace, a vague request and one tool call, executed on MCP tools in a sandbox and labelled valid or invalid\n',
    );
    expect(() => readFileSync(path.join(dataDir, 'daemon.lock'))).toThrow();
  });

  it('without it, generate --help is Ada’s, her flags under their own heading', async () => {
    const stdout = capture();
    const code = await runGenerateCommand(['--help'], { cwd: workspace.path, env: {}, stdout: stdout.stream, stderr: capture().stream });
    expect(code).toBe(0);
    expect(stdout.text()).toContain('Options of the ada pipeline (');
    expect(stdout.text()).toContain('--max-tool-rounds N         tool-call rounds per assistant turn (default: 3)');
    expect(stdout.text()).toContain('--reset-tools               empty the memory/diary database before starting');
  });
});
