import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { holdEarlySignals } from '../../src/runner/shutdown-signals.js';

describe('a signal during start-up', () => {
  it('is held (the first one) until the run can drain, and released listeners stop holding', () => {
    const fakeProcess = new EventEmitter() as unknown as Pick<NodeJS.Process, 'on' | 'off'>;
    const early = holdEarlySignals(fakeProcess);
    expect(early.received()).toBeUndefined();
    (fakeProcess as unknown as EventEmitter).emit('SIGTERM', 'SIGTERM');
    (fakeProcess as unknown as EventEmitter).emit('SIGINT', 'SIGINT');
    expect(early.received()).toBe('SIGTERM');
    early.dispose();
    expect((fakeProcess as unknown as EventEmitter).listenerCount('SIGINT')).toBe(0);
    expect((fakeProcess as unknown as EventEmitter).listenerCount('SIGTERM')).toBe(0);
  });
});
