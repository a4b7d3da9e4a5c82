import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNAL_COPY_WINDOW_MS, handleShutdownSignals, holdEarlySignals } from '../../src/runner/shutdown-signals.js';

/** An emitter standing in for `process`, recording the signals the code re-raises, with a clock the test moves. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const raised: string[] = [];
  let now = 1_000;
  const target = Object.assign(emitter, {
    pid: 4242,
    kill: (pid: number, signal?: string | number) => {
      raised.push(`${pid}:${signal}`);
      return true;
    },
  }) as unknown as Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'>;
  return {
    emitter,
    target,
    raised,
    now: () => now,
    /** Moves the clock, then delivers the signal. */
    send(signal: NodeJS.Signals, afterMs = 0) {
      now += afterMs;
      emitter.emit(signal, signal);
    },
    listeners: () => emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM'),
  };
}

/** A runner, reporter and logger that record what the shutdown handler asks of them. */
function fakeRun() {
  const calls: string[] = [];
  const records: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return {
    calls,
    records,
    logger,
    runner: { inFlight: 3, drain: (reason: string) => void calls.push(`drain:${reason}`), abortAll: (reason: string) => void calls.push(`abort:${reason}`) },
    reporter: { drain: async (reason: string) => void calls.push(`report:${reason}`) },
  };
}

describe('a signal during start-up', () => {
  it('is held until the run can drain, and released listeners stop holding', () => {
    const fake = fakeProcess();
    const early = holdEarlySignals({ process: fake.target, now: fake.now });
    expect(early.received()).toBeUndefined();
    fake.send('SIGTERM');
    expect(early.received()).toBe('SIGTERM');
    early.dispose();
    expect(fake.listeners()).toBe(0);
    expect(fake.raised).toEqual([]);
  });

  it('a copy of it arriving together (the terminal and npm both deliver it) is the same stop: nothing is raised', () => {
    const fake = fakeProcess();
    const early = holdEarlySignals({ process: fake.target, now: fake.now });
    fake.send('SIGINT');
    fake.send('SIGINT', 3);
    fake.send('SIGINT', SIGNAL_COPY_WINDOW_MS - 10);
    expect(fake.raised).toEqual([]);
    expect(fake.listeners()).toBe(2);
    expect(early.received()).toBe('SIGINT');
  });

  it('a second one a second later stops at once: the listener steps aside and the signal is raised again', () => {
    const fake = fakeProcess();
    const early = holdEarlySignals({ process: fake.target, now: fake.now });
    fake.send('SIGINT');
    fake.send('SIGINT', 1_000);
    expect(fake.raised).toEqual(['4242:SIGINT']);
    expect(fake.listeners()).toBe(0);
    expect(early.received()).toBe('SIGINT');
  });
});

describe('signals while the run is going', () => {
  let fake: ReturnType<typeof fakeProcess>;
  let run: ReturnType<typeof fakeRun>;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fake = fakeProcess();
    run = fakeRun();
  });
  afterEach(() => vi.useRealTimers());

  function start(graceSeconds = 30) {
    const signals = holdEarlySignals({ process: fake.target, now: fake.now });
    const shutdown = handleShutdownSignals({ runner: run.runner, reporter: run.reporter, logger: run.logger, graceSeconds, signals });
    return { signals, shutdown };
  }

  it('one SIGINT delivered three times within milliseconds drains once and never stops at once', () => {
    const { shutdown } = start();
    fake.send('SIGINT');
    fake.send('SIGINT', 2);
    fake.send('SIGINT', 36);
    expect(run.calls).toEqual(['drain:SIGINT', 'report:SIGINT']);
    expect(shutdown.immediate()).toBe(false);
    expect(fake.raised).toEqual([]);
    const copies = run.records.filter((record) => record.copyAfterMs !== undefined);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ level: 30, signal: 'SIGINT', copyAfterMs: 2 });
    expect(run.records.some((record) => /stopping now/.test(record.msg))).toBe(false);
  });

  it('a SIGTERM and a SIGINT arriving together are one stop too', () => {
    const { shutdown } = start();
    fake.send('SIGTERM');
    fake.send('SIGINT', 5);
    expect(run.calls).toEqual(['drain:SIGTERM', 'report:SIGTERM']);
    expect(shutdown.immediate()).toBe(false);
  });

  it('a second SIGINT a second after the first aborts every conversation at once, once', () => {
    const { shutdown } = start();
    fake.send('SIGINT');
    fake.send('SIGINT', 1_000);
    fake.send('SIGINT', 1);
    expect(run.calls).toEqual(['drain:SIGINT', 'report:SIGINT', 'abort:second SIGINT']);
    expect(shutdown.immediate()).toBe(true);
    expect(run.records.filter((record) => /stopping now/.test(record.msg))).toHaveLength(1);
  });

  it('the window is measured from the first signal: a press just past it is a deliberate second one', () => {
    const { shutdown } = start();
    fake.send('SIGINT');
    fake.send('SIGINT', SIGNAL_COPY_WINDOW_MS - 1);
    expect(shutdown.immediate()).toBe(false);
    fake.send('SIGINT', 1);
    expect(shutdown.immediate()).toBe(true);
  });

  it('the grace period ends with the conversations still in flight aborted', async () => {
    start(2);
    fake.send('SIGINT');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(run.calls).not.toContain('abort:grace period over');
    await vi.advanceTimersByTimeAsync(1);
    expect(run.calls).toContain('abort:grace period over');
  });

  it('a signal held during start-up counts as the first: its copy is ignored, a later one stops at once', () => {
    const signals = holdEarlySignals({ process: fake.target, now: fake.now });
    fake.send('SIGINT');
    const shutdown = handleShutdownSignals({ runner: run.runner, reporter: run.reporter, logger: run.logger, graceSeconds: 30, signals });
    expect(signals.received()).toBe('SIGINT');
    fake.send('SIGINT', 20);
    expect(shutdown.immediate()).toBe(false);
    fake.send('SIGINT', 600);
    expect(shutdown.immediate()).toBe(true);
    expect(fake.raised).toEqual([]);
  });

  it('after the run lets go, a copy of its signal is still ignored and a later one stops the process at once', () => {
    const { shutdown } = start();
    fake.send('SIGINT');
    shutdown.dispose();
    fake.send('SIGINT', 10);
    expect(fake.raised).toEqual([]);
    fake.send('SIGINT', 2_000);
    expect(fake.raised).toEqual(['4242:SIGINT']);
    expect(run.calls).toEqual(['drain:SIGINT', 'report:SIGINT']);
  });
});
