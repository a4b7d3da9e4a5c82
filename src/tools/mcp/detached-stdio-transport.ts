/**
 * The MCP stdio transport, with the server in a process group of its own.
 *
 * Why not the SDK's `StdioClientTransport`: it starts the server in the daemon's process group,
 * and a terminal's Ctrl+C is SIGINT to every process of its foreground group. The servers died on
 * the first Ctrl+C while the daemon drained, and the examples in flight were discarded as
 * `tool_server_unavailable` (4 of 56 in a measured run). A detached server does not get the
 * terminal's signals; the daemon ends it instead:
 * - on `close()` (every run closes its tools): stdin is closed, which makes a stdio server exit,
 *   then its whole group gets SIGTERM, then SIGKILL (the SDK's own sequence, per group here so a
 *   wrapper such as `npx` takes its child with it);
 * - when the daemon exits without closing (an uncaught error): an `exit` hook sends SIGTERM to the
 *   groups still alive;
 * - when the daemon is killed outright (`kill -9`): the kernel closes its end of every pipe, and a
 *   stdio server exits at the end of its input (the MCP stdio convention; server-filesystem and
 *   server-memory do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How long a server gets to exit after its stdin closes, then after SIGTERM (the SDK's figures). */
const EXIT_WAIT_MS = 2_000;

export interface DetachedServerParameters {
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the SDK's safe default environment (`PATH`, `HOME`, …). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Servers started and not yet gone: what the exit hook ends. */
const liveServers = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous by necessity: nothing asynchronous runs in an `exit` listener.
  process.once('exit', () => {
    for (const child of liveServers) signalGroup(child, 'SIGTERM');
  });
}

/** The server and whatever it started: it leads its own group, so the group id is its pid. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? child.pid : -child.pid, signal);
  } catch {
    // already gone
  }
}

export class DetachedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <Message extends JSONRPCMessage>(message: Message) => void;

  /** Readable from construction on, so not a line of early output is lost. */
  readonly stderr = new PassThrough();
  private child: ChildProcess | undefined;
  private readonly readBuffer = new ReadBuffer();

  constructor(private readonly parameters: DetachedServerParameters) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child !== undefined) throw new Error('DetachedStdioTransport already started');
    installExitHook();
    return new Promise((resolve, reject) => {
      const child = spawn(this.parameters.command, [...this.parameters.args], {
        env: { ...getDefaultEnvironment(), ...this.parameters.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group (and session): a terminal's Ctrl+C to the daemon's group misses it.
        detached: true,
        windowsHide: true,
        ...(this.parameters.cwd === undefined ? {} : { cwd: this.parameters.cwd }),
      });
      this.child = child;
      child.once('error', (error) => {
        liveServers.delete(child);
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => {
        liveServers.add(child);
        resolve();
      });
      child.once('close', () => {
        liveServers.delete(child);
        if (this.child === child) this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
      child.stderr?.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (stdin === undefined || stdin === null) return Promise.reject(new Error('Not connected'));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.readBuffer.clear();
    if (child === undefined) return;
    const closed = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const exitedWithin = (ms: number) =>
      Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    child.stdin?.end();
    if (await exitedWithin(EXIT_WAIT_MS)) {
      // The server is gone; anything it left in its group goes too.
      signalGroup(child, 'SIGTERM');
      return;
    }
    signalGroup(child, 'SIGTERM');
    if (!(await exitedWithin(EXIT_WAIT_MS))) signalGroup(child, 'SIGKILL');
  }

  private receive(chunk: Buffer): void {
    this.readBuffer.append(chunk);
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        // One line that is not JSON-RPC: reported, and the next line is read.
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}
