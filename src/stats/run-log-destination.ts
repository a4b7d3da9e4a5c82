import fs from 'node:fs';
import { once } from 'node:events';
import { formatPrettyLine } from './pretty-line.js';
import { PROGRESS_MESSAGE, SUMMARY_MESSAGE } from './progress-record.js';

/** pino sets `lastLevel` on a destination that carries this global symbol (see pino/lib/symbols.js). */
const NEEDS_METADATA = Symbol.for('pino.metadata');
const DRAIN_WAIT_MS = 1000;
const WARN_LEVEL = 40;
/** Info lines a quiet (`warn`) terminal still shows: the progress it is there to watch, and the end of the run. */
const ALWAYS_SHOWN: ReadonlySet<string> = new Set([PROGRESS_MESSAGE, SUMMARY_MESSAGE]);

export interface TerminalSinkOptions {
  readonly pretty: boolean;
  readonly color: boolean;
  /** pino level number below which lines are not shown. */
  readonly minimumLevel: number;
}

/**
 * The terminal side of the log. A terminal that fails (EPIPE when `| head` exits, a destroyed
 * stream) is silenced for good instead of crashing the daemon: the 'error' listener stays attached
 * for the life of the process because the stream may report the failure after we stop writing.
 */
export class TerminalSink {
  private broken = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: TerminalSinkOptions,
  ) {
    stream.on('error', () => {
      this.broken = true;
    });
  }

  get minimumLevel(): number {
    return this.options.minimumLevel;
  }

  /** Whether a line of this level and message belongs on the terminal. */
  shows(level: number, message: string | undefined): boolean {
    if (level >= this.options.minimumLevel) return true;
    return this.options.minimumLevel <= WARN_LEVEL && message !== undefined && ALWAYS_SHOWN.has(message);
  }

  write(redactedLine: string): void {
    if (this.broken) return;
    const text = this.options.pretty ? formatPrettyLine(redactedLine, { color: this.options.color }) : redactedLine;
    try {
      this.stream.write(text);
    } catch {
      this.broken = true;
    }
  }

  async drain(): Promise<void> {
    const stream = this.stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (this.broken || stream.writableNeedDrain !== true) return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_WAIT_MS).unref());
    await Promise.race([once(stream, 'drain').then(() => undefined, () => undefined), timeout]);
  }
}

/**
 * The one stream pino writes to. Each line is redacted once, appended to the run file with a
 * synchronous write (so the last words before a crash are in the file, not in a buffer), then
 * shown on the terminal if its level is high enough.
 */
export class RunLogDestination {
  readonly [NEEDS_METADATA] = true;
  /** Set by pino before every `write`. */
  lastLevel = 30;
  /** Set by pino before every `write`. */
  lastMsg: string | undefined;
  private closed = false;
  private fileFailed = false;

  constructor(
    private readonly fileDescriptor: number,
    private readonly logFile: string,
    private readonly terminal: TerminalSink | null,
    private readonly redact: (text: string) => string,
  ) {}

  write(line: string): void {
    const redacted = this.redact(line);
    if (!this.closed && !this.fileFailed) this.appendToFile(redacted);
    if (this.terminal !== null && this.terminal.shows(this.lastLevel, this.lastMsg)) this.terminal.write(redacted);
  }

  async flush(): Promise<void> {
    if (!this.closed && !this.fileFailed) {
      await new Promise<void>((resolve) => fs.fsync(this.fileDescriptor, () => resolve()));
    }
    await this.terminal?.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    fs.closeSync(this.fileDescriptor);
  }

  private appendToFile(line: string): void {
    try {
      fs.writeSync(this.fileDescriptor, line);
    } catch (error) {
      // A full disk must not turn every log call into a crash; say so once where a person may see it.
      this.fileFailed = true;
      this.terminal?.write(
        `${JSON.stringify({
          level: 50,
          time: new Date().toISOString(),
          msg: 'cannot write the log file; file logging stopped',
          logFile: this.logFile,
          reason: (error as Error).message,
        })}\n`,
      );
    }
  }
}
