import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdEarlySignals } from '../../src/runner/shutdown-signals.js';

/** An emitter standing in for `process`, recording the signals the code re-raises. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const raised: string[] = [];
  const target = Object.assign(emitter, {
    pid: 4242,
    kill: (pid: number, signal?: string | number) => {
      raised.push(`${pid}:${signal}`);
      return true;
    },
  }) as unknown as Pick<NodeJS.Process, 'on' | 'off' | 'kill' | 'pid'>;
  return { emitter, target, raised };
}

describe('a signal during start-up', () => {
  it('is held until the run can drain, and released listeners stop holding', () => {
    const { emitter, target, raised } = fakeProcess();
    const early = holdEarlySignals(target);
    expect(early.received()).toBeUndefined();
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(early.received()).toBe('SIGTERM');
    early.dispose();
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
    expect(raised).toEqual([]);
  });

  it('a second one stops at once: the listener steps aside and the signal is raised again', () => {
    const { emitter, target, raised } = fakeProcess();
    const early = holdEarlySignals(target);
    emitter.emit('SIGINT', 'SIGINT');
    emitter.emit('SIGINT', 'SIGINT');
    expect(raised).toEqual(['4242:SIGINT']);
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
    expect(early.received()).toBe('SIGINT');
  });
});
