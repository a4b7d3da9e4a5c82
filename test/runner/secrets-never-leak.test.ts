import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { prepareDaemonData, readLogRecords, spawnDaemon, TEST_KEYS, type DaemonProcess } from '../helpers/daemon.js';
import { serveOnLoopback } from '../helpers/loopback-server.js';
import { runCli } from '../helpers/run-cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const OPENAI_COMPATIBLE_KEY = 'oc-test-key-3e9d7f1a5c';
/** Only in a base URL's query string: no list of secrets names it, so only the URL pattern can hide it. */
const URL_KEY = 'urlquerykey4b8d2f6a1c';
/** The key of a second OpenAI-compatible instance, from its own `providers.<name>.api_key`. */
const INSTANCE_KEY = 'echo-b-instance-key-6a2f9c4e1d';
const SECRETS = [TEST_KEYS.mistral, TEST_KEYS.together, TEST_KEYS.huggingface, OPENAI_COMPATIBLE_KEY, URL_KEY, INSTANCE_KEY];

interface EchoServer {
  readonly url: string;
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * A provider whose errors echo what careless real APIs echo: the key and the full request URL in
 * the message, and the key again in a response header (SDK errors keep headers). Its first few
 * OpenAI-compatible requests get a 400, which is not retried, so the message travels up to the
 * discarded conversation's log line; after that, and for Hugging Face, a 401 disables the provider
 * (a provider refusing every request with a 400 would otherwise take nearly every conversation).
 */
async function startEchoServer(): Promise<EchoServer> {
  const seen: string[] = [];
  let badRequests = 0;
  const server = await serveOnLoopback((request, response) => {
    request.resume();
    request.on('end', () => {
      const authorization = request.headers.authorization ?? '';
      const url = `http://${request.headers.host}${request.url}`;
      seen.push(`${authorization} ${url}`);
      const message = `Incorrect API key provided: ${authorization.replace(/^Bearer /, '')} for ${url} (header: ${authorization})`;
      const huggingface = request.url?.startsWith('/huggingface') === true;
      const badRequest = !huggingface && badRequests++ < 3;
      const body = huggingface
        ? { error: message, error_type: 'authentication' }
        : { error: { message, type: 'invalid_request_error', param: null, code: badRequest ? null : 'invalid_api_key' } };
      response.writeHead(badRequest ? 400 : 401, { 'content-type': 'application/json', 'x-echo-authorization': authorization });
      response.end(JSON.stringify(body));
    });
  });
  return { url: server.url, seen, close: () => server.close() };
}

/** Every file below `root` except the secrets file itself, which holds the keys by design. */
function readEveryFile(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    // latest.log is a symlink to the run's file; read through it too.
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    if (full === path.join(root, 'secrets.json')) continue;
    files.set(path.relative(root, full), readFileSync(full).toString('latin1'));
  }
  return files;
}

/** Each secret and its distinctive tail (a truncated echo of a key is still a leak). */
function leaksIn(text: string): string[] {
  return SECRETS.flatMap((secret) => [secret, secret.slice(-10)]).filter((needle) => text.includes(needle));
}

describe('API keys never appear in anything the daemon writes or prints', () => {
  let emulator: Emulator;
  let echo: EchoServer;
  let workspace: { path: string; cleanup: () => void };
  let dataDir: string;
  let daemon: DaemonProcess;
  let exitCode: number | null;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 3, defaults: { latency: { medianMs: 10, sigma: 0.3 } } });
    echo = await startEchoServer();
    workspace = makeTempDir();
    dataDir = path.join(workspace.path, 'data');
    const env = prepareDaemonData(
      dataDir,
      emulator,
      {
        // Refused by the emulator with its own 401 body: the SDK's error path, a disabled provider.
        mistral: { requestsPerSecond: 30, emulator: { authFailure: true } },
        together: { requestsPerSecond: 30 },
        huggingface: { requestsPerSecond: 30 },
      },
      {
        enabled_providers: ['mistral', 'together', 'huggingface', 'openai_compatible', 'echo-b'],
        openai_compatible: { base_url: `${echo.url}/v1?api_key=${URL_KEY}`, api_key: OPENAI_COMPATIBLE_KEY },
        providers: {
          mistral: { requests_per_second: 30, models: { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' } },
          together: { requests_per_second: 30, models: { tester: 'emulator-tester', assistant: 'emulator-assistant', rewriter: 'emulator-rewriter' } },
          huggingface: { requests_per_second: 30 },
          openai_compatible: { requests_per_second: 30 },
          'echo-b': { type: 'openai_compatible', base_url: `${echo.url}/v1`, api_key: INSTANCE_KEY, requests_per_second: 30 },
        },
      },
    );
    // Hugging Face goes to the echoing server too, with its own key in the Authorization header.
    env.HF_BASE_URL = `${echo.url}/huggingface`;
    daemon = spawnDaemon(['--target', '4', '--data-dir', dataDir, '--progress-interval', '0.3', '--verbose'], { cwd: workspace.path, env });
    exitCode = (await daemon.exited).code;
  }, 30_000);
  afterAll(async () => {
    // A daemon that outlived a failed test must not outlive the emulator it talks to.
    if (daemon?.child.exitCode === null) daemon.child.kill('SIGKILL');
    await emulator.close();
    await echo.close();
    workspace.cleanup();
  });

  it('ran the error paths that could echo a key: providers disabled, some refusing requests, one doing the work', () => {
    expect(exitCode, daemon.output()).toBe(0);
    expect(emulator.counters().mistral.authFailures).toBeGreaterThan(0);
    expect(echo.seen.some((line) => line.includes(`Bearer ${TEST_KEYS.huggingface}`))).toBe(true);
    expect(echo.seen.some((line) => line.includes(`Bearer ${OPENAI_COMPATIBLE_KEY}`) && line.includes(URL_KEY))).toBe(true);
    expect(echo.seen.some((line) => line.includes(`Bearer ${INSTANCE_KEY}`))).toBe(true);
    const progress = readLogRecords(dataDir).filter((record) => record.msg === 'progress');
    const providers = progress.at(-1)!.providers as Record<string, { state: { status: string }; conversations: number }>;
    expect(providers.mistral!.state.status).toBe('disabled');
    expect(providers.huggingface!.state.status).toBe('disabled');
    expect(providers.openai_compatible!.state.status).toBe('disabled');
    expect(providers['echo-b']!.state.status).toBe('disabled');
    expect(providers.together!.conversations).toBe(4);
    const discards = readLogRecords(dataDir).filter((record) => record.msg === 'conversation discarded');
    expect(discards.some((record) => record.reason === 'provider_failure')).toBe(true);
  });

  it('leaves no key in any file under the data directory: logs, status file, output, tool database', () => {
    const files = readEveryFile(dataDir);
    expect([...files.keys()].sort()).toEqual(
      expect.arrayContaining(['status.json', 'tools.db', path.join('trainingData', 'conversations.jsonl'), path.join('logs', 'latest.log')]),
    );
    for (const [file, content] of files) expect(leaksIn(content), file).toEqual([]);
    // The echoed errors reached the log, with the keys cut out of them.
    const log = files.get(path.join('logs', 'latest.log'))!;
    expect(log).toContain('Incorrect API key provided: [REDACTED]');
    expect(log).toContain('api_key=[REDACTED]');
  });

  it('prints no key on stdout or stderr', () => {
    expect(daemon.output()).toContain('Incorrect API key provided');
    expect(leaksIn(daemon.output())).toEqual([]);
  });

  it('shows no key in the status command, as text or as JSON, nor in the log tail it shows for a dead run', async () => {
    for (const args of [[], ['--json']]) {
      const result = await runCli(['status', '--data-dir', dataDir, ...args], { cwd: workspace.path });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('finished');
      expect(leaksIn(result.stdout + result.stderr)).toEqual([]);
    }
    const statusFile = path.join(dataDir, 'status.json');
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(statusFile, JSON.stringify({ ...status, state: 'running', pid: daemon.child.pid }));
    const dead = await runCli(['status', '--data-dir', dataDir], { cwd: workspace.path });
    expect(dead.code).toBe(3);
    expect(dead.stdout).toContain('last warnings and errors in the log');
    expect(leaksIn(dead.stdout + dead.stderr)).toEqual([]);
  });
});
